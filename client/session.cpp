#include "session.hpp"

#include <algorithm>

#include <boost/endian/conversion.hpp>

#include "chroot.hpp"
#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/error.hpp"

namespace zkpp::detail {
namespace {

// ZooKeeper's own code for a client-side operation timeout.
std::error_code timed_out() {
  return error::operation_timeout;
}

using proto::opcode;
namespace xid = proto::xid;

constexpr std::int32_t op(opcode o) {
  return static_cast<std::int32_t>(o);
}

// setWatches2 frames are split so that no single frame approaches jute.maxbuffer.
constexpr std::size_t set_watches_batch_bytes = 128 * 1024;

// Splits the watch lists into setWatches2 records of bounded size.
std::vector<proto::set_watches2> batch(const proto::set_watches2& all) {
  std::vector<proto::set_watches2> out;
  std::size_t bytes = set_watches_batch_bytes;
  auto add = [&](std::vector<std::string> proto::set_watches2::*list, const std::string& p) {
    if (bytes + p.size() > set_watches_batch_bytes) {
      out.push_back({all.relative_zxid, {}, {}, {}, {}, {}});
      bytes = 0;
    }
    (out.back().*list).push_back(p);
    bytes += p.size() + 4;
  };
  for (auto list : {&proto::set_watches2::data_watches, &proto::set_watches2::exist_watches,
                    &proto::set_watches2::child_watches, &proto::set_watches2::persistent_watches,
                    &proto::set_watches2::persistent_recursive_watches})
    for (const auto& p : all.*list) add(list, p);
  return out;
}

}  // namespace

session::session(config c, metrics_registry* metrics) : config_(std::move(c)), metrics_(metrics) {}

std::int32_t session::next_xid() {
  xid_ = xid_ == INT32_MAX ? 1 : xid_ + 1;
  return xid_;
}

void session::set_state(session_state s) {
  if (on_state) on_state(s);
}

void session::write_frame(std::int32_t xid, std::int32_t opcode, std::string_view body) {
  jute::writer w{out_};
  w.put(static_cast<std::int32_t>(8 + body.size()));
  w.put(proto::request_header{xid, opcode});
  out_.append(body);
}

void session::begin_handshake(clock::time_point now) {
  in_.clear();
  out_.clear();
  phase_ = phase::handshaking;
  handshake_started_ = now;
  last_recv_ = now;
  last_send_ = now;
  proto::connect_request req{
      0, last_zxid_, static_cast<std::int32_t>(config_.session_timeout.count()), session_id_,
      session_id_ ? password_ : std::string(proto::session_password_size, '\0')};
  jute::writer w{out_};
  const auto start = out_.size();
  w.put(std::int32_t{0});
  w.put(req);
  w.put(config_.can_be_read_only);
  w.patch(start, static_cast<std::int32_t>(out_.size() - start - 4));
}

std::error_code session::receive(std::string_view bytes, clock::time_point now) {
  last_recv_ = now;
  // Whole frames are handled straight from the read buffer; only a frame cut
  // by the end of a read is copied, into in_, until the rest arrives.
  if (!in_.empty()) {
    const auto header_part = std::min(bytes.size(), in_.size() < 4 ? 4 - in_.size() : 0);
    in_.append(bytes.substr(0, header_part));
    bytes.remove_prefix(header_part);
    if (in_.size() < 4) return {};
    const auto len = frame_length(in_);
    if (len < 0 || len > config_.max_frame_size) return error::frame_too_large;
    const auto whole = 4 + static_cast<std::size_t>(len);
    const auto body_part = std::min(bytes.size(), whole - in_.size());
    in_.append(bytes.substr(0, body_part));
    bytes.remove_prefix(body_part);
    if (in_.size() < whole) return {};
    // Moved out, so that the buffer keeps its capacity for the next cut frame.
    std::string frame;
    frame.swap(in_);
    const auto ec = handle_frame(std::string_view{frame}.substr(4));
    frame.clear();
    if (in_.empty()) in_.swap(frame);
    if (ec) return ec;
    if (phase_ != phase::connected) return keep(bytes);
  }
  while (bytes.size() >= 4) {
    const auto len = frame_length(bytes);
    if (len < 0 || len > config_.max_frame_size) return error::frame_too_large;
    const auto whole = 4 + static_cast<std::size_t>(len);
    if (bytes.size() < whole) break;
    const auto frame = bytes.substr(4, whole - 4);
    bytes.remove_prefix(whole);
    if (auto ec = handle_frame(frame)) return ec;
    if (phase_ != phase::connected) break;
  }
  return keep(bytes);
}

std::int32_t session::frame_length(std::string_view bytes) {
  return boost::endian::endian_load<std::int32_t, 4, boost::endian::order::big>(
      reinterpret_cast<const unsigned char*>(bytes.data()));
}

std::error_code session::keep(std::string_view rest) {
  in_.append(rest);
  return {};
}

std::error_code session::handle_frame(std::string_view frame) {
  if (phase_ == phase::handshaking) return handle_connect_response(frame);
  if (phase_ == phase::connected) return handle_reply(frame);
  return {};
}

std::error_code session::handle_connect_response(std::string_view frame) {
  proto::connect_response resp;
  jute::reader r{frame};
  r.get(resp);
  if (!r.ok()) return error::protocol_error;
  bool read_only = false;
  if (r.remaining() >= 1) r.get(read_only);

  if (resp.time_out <= 0 || (session_id_ != 0 && resp.session_id != session_id_)) {
    end_session(phase::expired, error::session_expired, keeper_state::expired, session_state::lost);
    return error::session_expired;
  }
  const bool resumed = session_id_ != 0;
  session_id_ = resp.session_id;
  password_ = resp.passwd;
  negotiated_ = std::chrono::milliseconds{resp.time_out};
  phase_ = phase::connected;
  last_send_ = last_recv_;

  // Auth first, then the watches, then whatever the user queued meanwhile.
  for (const auto& [scheme, credentials] : credentials_) {
    request a;
    a.opcode = op(opcode::auth);
    a.body = jute::encode(proto::auth_packet{0, scheme, credentials});
    send(std::move(a));
  }
  if (resumed && !watches_.empty()) {
    for (const auto& sw : batch(watches_.snapshot(last_zxid_))) {
      request s;
      s.opcode = op(opcode::set_watches2);
      s.body = jute::encode(sw);
      send(std::move(s));
    }
  }
  while (!unsent_.empty() && phase_ == phase::connected) {
    auto next = std::move(unsent_.front());
    unsent_.pop_front();
    send(std::move(next));
  }
  const session_state s = read_only         ? session_state::read_only
                          : ever_connected_ ? session_state::reconnected
                                            : session_state::connected;
  ever_connected_ = true;
  set_state(s);
  return {};
}

std::error_code session::handle_reply(std::string_view frame) {
  jute::reader r{frame};
  proto::reply_header h;
  r.get(h);
  if (!r.ok()) return error::protocol_error;
  const auto body = frame.substr(proto::reply_header_size);

  if (h.xid == xid::notification) {
    handle_notification(body);
    return {};
  }
  if (h.xid == xid::ping) return {};
  if (h.xid == xid::auth) {
    if (auth_waiting_.empty()) return error::protocol_error;
    auto a = std::move(auth_waiting_.front());
    auth_waiting_.pop_front();
    const auto ec = from_wire(h.err);
    if (!ec) {
      proto::auth_packet packet;
      if (jute::decode(a.body, packet))
        credentials_.emplace_back(packet.scheme, packet.auth.value_or(std::string{}));
    }
    complete(a, ec, {});
    if (ec) {
      end_session(phase::auth_failed, error::auth_failed, keeper_state::auth_failed,
                  session_state::auth_failed);
      return error::auth_failed;
    }
    return {};
  }

  if (pending_.empty() || pending_.front().xid != h.xid) return error::protocol_error;
  auto done = std::move(pending_.front());
  pending_.pop_front();
  if (h.zxid > 0) last_zxid_ = h.zxid;
  finish(done, from_wire(h.err), h.err == 0 ? body : std::string_view{});
  if (done.req.opcode == op(opcode::close_session) && phase_ == phase::connected) {
    end_session(phase::closed, error::client_closed, keeper_state::closed, session_state::closed);
  }
  return {};
}

void session::finish(in_flight_request& r, std::error_code ec, std::string_view body) {
  auto& req = r.req;
  if (req.watch != watch_kind::none) {
    const bool exists_on_missing_node = req.opcode == op(opcode::exists) && ec == error::no_node;
    if (!ec || exists_on_missing_node) {
      // An exists watch on an existing node is a data watch (ZooKeeper's rule).
      const auto kind = req.watch == watch_kind::exist && !ec ? watch_kind::data : req.watch;
      watches_.add(kind, req.server_path, std::move(req.watcher));
    }
  }
  if (req.opcode == op(opcode::remove_watches) && !ec) {
    proto::remove_watches_request rw;
    if (jute::decode(req.body, rw)) {
      const auto client_path = strip_chroot(rw.path, config_.chroot);
      for (auto& [w, told] : watches_.remove(rw.path, static_cast<watcher_type>(rw.type)))
        (*w)(watch_event{told, keeper_state::sync_connected, client_path});
    }
  }
  complete(req, ec, body);
}

void session::handle_notification(std::string_view body) {
  proto::watcher_event e;
  if (!jute::decode(body, e)) return;
  const auto type = static_cast<event_type>(e.type);
  const watch_event event{type, static_cast<keeper_state>(e.state),
                          strip_chroot(e.path, config_.chroot)};
  for (const auto& w : watches_.take(type, e.path)) (*w)(event);
}

void session::send(request r) {
  if (r.opcode == op(opcode::auth)) {
    write_frame(xid::auth, r.opcode, r.body);
    if (metrics_) metrics_->request_sent(r.opcode);
    auth_waiting_.push_back(std::move(r));
    return;
  }
  const auto x = next_xid();
  write_frame(x, r.opcode, r.body);
  if (metrics_) metrics_->request_sent(r.opcode);
  pending_.push_back({x, std::move(r)});
}

void session::submit(request r, clock::time_point now) {
  if (r.invalid) {
    complete(r, r.invalid, {});
    return;
  }
  switch (phase_) {
    case phase::connected:
      last_send_ = now;
      send(std::move(r));
      return;
    case phase::disconnected:
    case phase::handshaking:
      unsent_.push_back(std::move(r));
      return;
    case phase::expired:
      complete(r, error::session_expired, {});
      return;
    case phase::auth_failed:
      complete(r, error::auth_failed, {});
      return;
    case phase::closed:
      complete(r, error::client_closed, {});
      return;
  }
}

void session::complete(request& r, std::error_code ec, std::string_view body) {
  if (!r.handler) return;
  if (metrics_) {
    metrics_->request_done(r.opcode, ec, last_recv_ - r.submitted);
    metrics_->set_in_flight(pending_.size());
    metrics_->set_watches(watches_.size());
  }
  // Released before the call: the handler may submit more requests.
  auto handler = std::move(r.handler);
  handler->on_reply(ec, body, {config_.chroot, r.opcode});
}

void session::complete_early(request& r, std::error_code ec) {
  // The request stays in its queue, so that its reply, when it comes, still
  // matches and is dropped; nor does it set a watch.
  r.watch = watch_kind::none;
  complete(r, ec, {});
}

void session::cancel(std::uint64_t id, std::error_code why) {
  for (auto it = unsent_.begin(); it != unsent_.end(); ++it) {
    if (it->id != id) continue;
    auto r = std::move(*it);
    unsent_.erase(it);
    complete_early(r, why);
    return;
  }
  for (auto& p : pending_)
    if (p.req.id == id) return complete_early(p.req, why);
  for (auto& a : auth_waiting_)
    if (a.id == id) return complete_early(a, why);
}

void session::expire_requests(clock::time_point now) {
  // Deadlines grow with submission order, so the scans stop at the first live one.
  while (!unsent_.empty() && unsent_.front().deadline <= now) {
    auto r = std::move(unsent_.front());
    unsent_.pop_front();
    complete_early(r, timed_out());
  }
  for (auto& p : pending_) {
    if (!p.req.handler) continue;
    if (p.req.deadline > now) break;
    complete_early(p.req, timed_out());
  }
}

void session::fail_all(std::error_code ec) {
  // Move out first: completions may submit new requests.
  auto pending = std::move(pending_);
  pending_.clear();
  auto auths = std::move(auth_waiting_);
  auth_waiting_.clear();
  auto unsent = std::move(unsent_);
  unsent_.clear();
  for (auto& p : pending) complete(p.req, ec, {});
  for (auto& a : auths) complete(a, ec, {});
  for (auto& u : unsent) complete(u, ec, {});
}

void session::transport_lost() {
  const bool was_connected = phase_ == phase::connected;
  if (phase_ == phase::connected || phase_ == phase::handshaking) phase_ = phase::disconnected;
  out_.clear();
  // As the Java client does: whatever was queued for this connection fails too,
  // so nothing waits on a server that may never come back.
  fail_all(error::connection_loss);
  if (was_connected) set_state(session_state::suspended);
}

void session::end_session(enum phase p, std::error_code ec, keeper_state told,
                          session_state state) {
  phase_ = p;
  fail_all(ec);
  for (const auto& w : watches_.take_all()) (*w)(watch_event{event_type::none, told, {}});
  set_state(state);
}

void session::start_fresh() {
  phase_ = phase::disconnected;
  session_id_ = 0;
  password_.clear();
  negotiated_ = std::chrono::milliseconds{0};
  ever_connected_ = false;
}

void session::shut_down(std::error_code why) {
  if (phase_ == phase::closed) return;
  out_.clear();
  phase_ = phase::closed;
  fail_all(why);
  watches_.take_all();
}

std::error_code session::tick(clock::time_point now) {
  expire_requests(now);
  if (phase_ == phase::handshaking) {
    if (now - handshake_started_ >= config_.session_timeout) return error::connection_loss;
    return {};
  }
  if (phase_ != phase::connected) return {};
  const auto read_timeout = negotiated_ * 2 / 3;
  if (now - last_recv_ >= read_timeout) return error::connection_loss;
  if (now - last_send_ >= negotiated_ / 3) {
    write_frame(xid::ping, op(opcode::ping), {});
    last_send_ = now;
  }
  return {};
}

session::clock::time_point session::next_tick() const {
  auto next = clock::time_point::max();
  if (!unsent_.empty()) next = unsent_.front().deadline;
  for (const auto& p : pending_) {
    if (!p.req.handler) continue;
    next = std::min(next, p.req.deadline);
    break;
  }
  if (phase_ == phase::handshaking)
    return std::min(next, handshake_started_ + config_.session_timeout);
  if (phase_ != phase::connected) return next;
  return std::min({next, last_recv_ + negotiated_ * 2 / 3, last_send_ + negotiated_ / 3});
}

}  // namespace zkpp::detail
