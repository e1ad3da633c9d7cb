#include "client_impl.hpp"

#include <asio/connect.hpp>
#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <cstdio>

#if defined(__linux__)
#include <sys/socket.h>
#endif

#include "zkpp/detail/proto/opcode.hpp"

namespace zkpp::detail {
namespace {

std::string hex(std::int64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

asio::ssl::context make_tls_context(const tls_options& o) {
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  if (!o.allow_tls_1_2) ctx.set_options(asio::ssl::context::no_tlsv1_2);
  if (o.ca_file.empty())
    ctx.set_default_verify_paths();
  else
    ctx.load_verify_file(o.ca_file);
  if (!o.cert_file.empty()) ctx.use_certificate_chain_file(o.cert_file);
  if (!o.key_file.empty()) ctx.use_private_key_file(o.key_file, asio::ssl::context::pem);
  if (!o.ciphers.empty() && SSL_CTX_set_cipher_list(ctx.native_handle(), o.ciphers.c_str()) != 1)
    throw std::system_error(error::bad_arguments, "no usable TLS cipher in '" + o.ciphers + "'");
  ctx.set_verify_mode(o.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return ctx;
}

bool is_ip_address(const std::string& host) {
  std::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

session::config make_session_config(const client_options& o, const connect_string& hosts) {
  return {o.session_timeout, o.can_be_read_only, o.max_frame_size, hosts.chroot};
}

// Bounded exponential backoff with jitter between reconnect rounds.
std::chrono::milliseconds backoff(std::size_t failures, std::minstd_rand& rng) {
  const auto base = std::chrono::milliseconds{
      std::min<std::int64_t>(1000, 10 * (std::int64_t{1} << std::min<std::size_t>(failures, 10)))};
  std::uniform_int_distribution<std::int64_t> jitter(0, base.count() / 2);
  return base + std::chrono::milliseconds{jitter(rng)};
}

}  // namespace

client_impl::client_impl(asio::any_io_executor ex, const client_options& options,
                         connect_string hosts)
    : strand_(asio::make_strand(ex)),
      resolver_(ex),
      socket_(ex),
      tick_timer_(ex),
      connect_timer_(ex),
      lost_timer_(ex),
      session_(make_session_config(options, hosts), &metrics_),
      hosts_(std::move(hosts)),
      session_timeout_(options.session_timeout),
      request_timeout_(options.request_timeout),
      on_expiry_(options.on_expiry),
      lost_after_session_timeout_(options.lost_after_session_timeout),
      logger_(options.logger),
      rng_(std::random_device{}()) {
  if (options.tls) {
    tls_context_.emplace(make_tls_context(*options.tls));
    verify_hostname_ = options.tls->verify_hostname;
  }
  std::shuffle(hosts_.hosts.begin(), hosts_.hosts.end(), rng_);
  session_.on_state = [this](session_state s) { on_state(s); };
}

std::string client_impl::password() const {
  std::lock_guard lock{facts_mutex_};
  return password_;
}

std::string client_impl::connected_server() const {
  std::lock_guard lock{facts_mutex_};
  return connected_server_;
}

void client_impl::submit(request r) {
  if (!strand_.running_in_this_thread() && submit_inline(r)) return;
  run_on_strand([self = shared_from_this(), r = std::move(r)]() mutable {
    const auto now = session::clock::now();
    self->stamp(r, now);
    const auto deadline = r.deadline;
    self->session_.submit(std::move(r), now);
    if (deadline < self->timer_armed_at_) self->arm_timer();
    self->flush();
  });
}

void client_impl::stamp(request& r, session::clock::time_point now) const {
  r.submitted = now;
  if (request_timeout_.count() > 0) r.deadline = now + request_timeout_;
}

// The strand's work, done on the calling thread, when that changes nothing
// but the session's output and pending requests: the strand is idle (our
// handlers hold state_mutex_), nothing queued for it may be overtaken, and
// the connection is up with nothing being written. Plain TCP only: a TLS
// stream cannot be written beside its pending read.
bool client_impl::submit_inline(request& r) {
#if defined(__linux__)
  std::unique_lock lock{state_mutex_, std::try_to_lock};
  if (!lock || queued_.load() != 0 || tls_ || !transport_up_ || writing_ || shut_down_ ||
      r.invalid || session_.phase() != session::phase::connected || !session_.output().empty())
    return false;
  const auto now = session::clock::now();
  stamp(r, now);
  if (r.deadline < timer_armed_at_) return false;  // re-arming the timer is the strand's job
  session_.submit(std::move(r), now);
  write_inline();
  return true;
#else
  (void)r;
  return false;
#endif
}

// Writes the session's output without waiting. What the socket does not take
// now is left in the output for the strand, which writes it before anything
// submitted later; a broken connection is left for the pending read to find.
void client_impl::write_inline() {
#if defined(__linux__)
  auto& out = session_.output();
  const auto n =
      ::send(socket_.native_handle(), out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n == static_cast<ssize_t>(out.size())) {
    out.clear();
    return;
  }
  if (n > 0) out.erase(0, static_cast<std::size_t>(n));
  asio::post(strand_, locked([self = shared_from_this(), gen = generation_] {
               if (gen == self->generation_) self->flush();
             }));
#endif
}

void client_impl::cancel(std::uint64_t id) {
  run_on_strand([self = shared_from_this(), id] {
    self->session_.cancel(id, asio::error::operation_aborted);
  });
}

void client_impl::add_listener(std::uint64_t id, std::function<void(session_state)> listener) {
  run_on_strand([self = shared_from_this(), id, l = std::move(listener)]() mutable {
    if (!self->shut_down_) self->listeners_.emplace(id, std::move(l));
  });
}

void client_impl::remove_listener(std::uint64_t id) {
  run_on_strand([self = shared_from_this(), id] { self->listeners_.erase(id); });
}

void client_impl::connect(std::unique_ptr<reply_handler> h) {
  run_on_strand([self = shared_from_this(), h = std::move(h)]() mutable {
    switch (self->session_.phase()) {
      case session::phase::connected:
        h->on_reply({}, {}, {});
        return;
      case session::phase::expired:
        h->on_reply(error::session_expired, {}, {});
        return;
      case session::phase::auth_failed:
        h->on_reply(error::auth_failed, {}, {});
        return;
      case session::phase::closed:
        h->on_reply(error::client_closed, {}, {});
        return;
      default:
        break;
    }
    self->connect_waiters_.push_back(std::move(h));
    if (!self->connecting_ && !self->transport_up_) {
      self->failures_in_row_ = 0;
      self->start_attempt();
    }
  });
}

void client_impl::close(std::unique_ptr<reply_handler> h) {
  run_on_strand([self = shared_from_this(), h = std::move(h)]() mutable {
    if (self->session_.phase() == session::phase::connected) {
      request r;
      r.opcode = static_cast<std::int32_t>(proto::opcode::close_session);
      r.handler = std::move(h);
      self->session_.submit(std::move(r), session::clock::now());
      self->flush();
      return;
    }
    // No live connection: nothing to tell the server; the session (if any) times out.
    self->session_.shut_down(error::client_closed);
    self->drop(error::client_closed);
    self->on_state(session_state::closed);
    h->on_reply({}, {}, {});
  });
}

void client_impl::shut_down() {
  run_on_strand([self = shared_from_this()] {
    self->shut_down_ = true;
    self->listeners_.clear();
    self->lost_timer_.cancel();
    self->session_.shut_down(asio::error::operation_aborted);
    self->complete_connect_waiters(asio::error::operation_aborted);
    self->drop(asio::error::operation_aborted);
  });
}

bool client_impl::session_over() const {
  const auto p = session_.phase();
  return shut_down_ || p == session::phase::expired || p == session::phase::auth_failed ||
         p == session::phase::closed;
}

void client_impl::log(log_level level, const std::string& text) const {
  if (logger_) logger_(level, text);
}

void client_impl::notify(session_state s) {
  // Listeners may add listeners; iterate over a snapshot.
  const auto listeners = listeners_;
  for (const auto& [id, l] : listeners)
    if (listeners_.contains(id)) l(s);
}

void client_impl::on_state(session_state s) {
  log(s == session_state::lost || s == session_state::auth_failed ? log_level::warning
                                                                  : log_level::info,
      std::string{"session "} + hex(session_.session_id()) + ": " + to_string(s));
  switch (s) {
    case session_state::suspended:
      if (lost_after_session_timeout_) {
        lost_timer_.expires_after(session_.negotiated_timeout());
        lost_timer_.async_wait(on_strand([self = shared_from_this()](std::error_code ec) {
          if (ec || self->session_over() || self->session_.phase() == session::phase::connected)
            return;
          self->log(log_level::warning, "suspended for a whole session timeout: reporting lost");
          self->notify(session_state::lost);
        }));
      }
      break;
    case session_state::connected:
    case session_state::reconnected:
    case session_state::read_only:
      if (s == session_state::reconnected) metrics_.reconnected();
      lost_timer_.cancel();
      session_id_ = session_.session_id();
      timeout_ms_ = session_.negotiated_timeout().count();
      {
        std::lock_guard lock{facts_mutex_};
        password_ = session_.password();
        connected_server_ = attempt_server_;
      }
      failures_in_row_ = 0;
      had_session_ = true;
      // Auth and SetWatches leave before anyone hears of the connection: a
      // listener may act at once (say, ask another client to write), and a
      // re-armed persistent watch replays nothing it missed.
      flush();
      complete_connect_waiters({});
      arm_timer();
      break;
    case session_state::lost:
      if (session_.phase() == session::phase::expired) metrics_.expired();
      lost_timer_.cancel();
      complete_connect_waiters(error::session_expired);
      break;
    case session_state::auth_failed:
      complete_connect_waiters(error::auth_failed);
      break;
    case session_state::closed:
      complete_connect_waiters(error::client_closed);
      break;
    default:
      break;
  }
  notify(s);
  if (s == session_state::lost && on_expiry_ == expiry_policy::new_session && !shut_down_ &&
      session_.phase() == session::phase::expired) {
    log(log_level::info, "starting a new session after expiry");
    // The expired connection is torn down by the caller, which then connects
    // again as after any loss.
    session_.start_fresh();
  }
}

void client_impl::complete_connect_waiters(std::error_code ec) {
  auto waiters = std::move(connect_waiters_);
  connect_waiters_.clear();
  for (auto& w : waiters) w->on_reply(ec, {}, {});
}

void client_impl::start_attempt() {
  if (session_over()) return;
  connecting_ = true;
  const auto& hp = hosts_.hosts[next_host_ % hosts_.hosts.size()];
  ++next_host_;
  attempt_server_ = hp.host + ":" + hp.port;
  log(log_level::debug, "connecting to " + attempt_server_);
  const auto gen = ++generation_;
  // A host gets its share of the session timeout to accept the connection.
  connect_timer_.expires_after(session_timeout_ / hosts_.hosts.size());
  connect_timer_.async_wait(on_strand([self = shared_from_this(), gen](std::error_code ec) {
    if (ec || gen != self->generation_ || self->transport_up_) return;
    self->last_failure_ = asio::error::timed_out;
    self->resolver_.cancel();
    self->close_transport();
  }));
  resolver_.async_resolve(
      hp.host, hp.port,
      on_strand([self = shared_from_this(), gen, host = hp.host](
                    std::error_code ec, asio::ip::tcp::resolver::results_type results) {
        if (gen != self->generation_) return;
        if (ec) {
          self->last_failure_ = ec;
          return self->attempt_failed();
        }
        asio::async_connect(
            self->socket_, results,
            self->on_strand([self, gen, host](std::error_code ec, const asio::ip::tcp::endpoint&) {
              if (gen != self->generation_) return;
              if (ec) {
                self->last_failure_ = ec;
                return self->attempt_failed();
              }
              self->on_tcp_connected(host);
            }));
      }));
}

void client_impl::on_tcp_connected(const std::string& host) {
  if (!tls_context_) return on_transport_up();
  tls_ =
      std::make_shared<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket_), *tls_context_);
  socket_ = asio::ip::tcp::socket{resolver_.get_executor()};
  if (!is_ip_address(host)) SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
  if (verify_hostname_) tls_->set_verify_callback(asio::ssl::host_name_verification{host});
  tls_->async_handshake(
      asio::ssl::stream_base::client,
      on_strand([self = shared_from_this(), gen = generation_, tls = tls_](std::error_code ec) {
        if (gen != self->generation_) return;
        if (ec) {
          self->log(log_level::warning, "TLS handshake failed: " + ec.message());
          self->last_failure_ = ec;
          return self->attempt_failed();
        }
        self->on_transport_up();
      }));
}

void client_impl::close_transport() {
  std::error_code ignored;
  socket_.close(ignored);
  if (tls_) {
    tls_->lowest_layer().close(ignored);
    tls_.reset();
  }
}

void client_impl::attempt_failed() {
  close_transport();
  connect_timer_.cancel();
  ++generation_;
  connecting_ = false;
  session_.transport_lost();
  ++failures_in_row_;
  if (session_over()) return;
  // Before the first session exists, one unsuccessful round over all hosts
  // fails async_connect; afterwards we keep trying until the session ends.
  if (!had_session_ && failures_in_row_ >= hosts_.hosts.size()) {
    // A TLS failure says more than "unreachable": a wrong CA or host name.
    const bool tls_failure = last_failure_.category() == asio::error::get_ssl_category() ||
                             last_failure_.category() == asio::ssl::error::get_stream_category();
    complete_connect_waiters(tls_failure ? last_failure_
                                         : make_error_code(error::no_server_reachable));
    return;
  }
  connecting_ = true;
  const auto delay = failures_in_row_ % hosts_.hosts.size() == 0
                         ? backoff(failures_in_row_ / hosts_.hosts.size(), rng_)
                         : std::chrono::milliseconds{0};
  const auto gen = generation_;
  connect_timer_.expires_after(delay);
  connect_timer_.async_wait(on_strand([self = shared_from_this(), gen](std::error_code ec) {
    if (ec || gen != self->generation_) return;
    self->start_attempt();
  }));
}

void client_impl::on_transport_up() {
  connect_timer_.cancel();
  connecting_ = false;
  transport_up_ = true;
  std::error_code ignored;
  (tls_ ? tls_->lowest_layer() : socket_).set_option(asio::ip::tcp::no_delay{true}, ignored);
  session_.begin_handshake(session::clock::now());
  arm_timer();
  start_read();
  flush();
}

void client_impl::start_read() {
  auto on_read = on_strand([self = shared_from_this(), gen = generation_, tls = tls_](
                               std::error_code ec, std::size_t n) {
    if (gen != self->generation_) return;
    if (ec) return self->drop(error::connection_loss);
    if (auto err = self->session_.receive({self->read_buf_.data(), n}, session::clock::now()))
      return self->drop(err);
    if (gen != self->generation_) return;  // a callback dropped or shut us down
    if (self->session_over()) return self->drop(error::client_closed);
    self->flush();
    self->start_read();
  });
  if (tls_)
    tls_->async_read_some(asio::buffer(read_buf_), std::move(on_read));
  else
    socket_.async_read_some(asio::buffer(read_buf_), std::move(on_read));
}

void client_impl::flush() {
  if (!transport_up_ || writing_ || session_.output().empty()) return;
  writing_ = true;
  // The buffer lives in the completion: a stale write may finish after a
  // reconnect. A finished write hands it back for reuse, capacity and all.
  auto buf = spare_write_buf_ ? std::move(spare_write_buf_) : std::make_shared<std::string>();
  buf->swap(session_.output());
  session_.output().clear();
  auto on_written = on_strand([self = shared_from_this(), buf, gen = generation_, tls = tls_](
                                  std::error_code ec, std::size_t) {
    if (gen != self->generation_) return;
    self->writing_ = false;
    if (ec) return self->drop(error::connection_loss);
    buf->clear();
    self->spare_write_buf_ = buf;
    self->flush();
  });
  if (tls_)
    asio::async_write(*tls_, asio::buffer(*buf), std::move(on_written));
  else
    asio::async_write(socket_, asio::buffer(*buf), std::move(on_written));
}

void client_impl::arm_timer() {
  const auto at = session_.next_tick();
  timer_armed_at_ = at;
  if (at == session::clock::time_point::max()) return;
  tick_timer_.expires_at(at);
  tick_timer_.async_wait(
      on_strand([self = shared_from_this(), gen = generation_](std::error_code ec) {
        if (ec || gen != self->generation_) return;
        self->timer_armed_at_ = session::clock::time_point::max();
        if (auto err = self->session_.tick(session::clock::now())) return self->drop(err);
        self->flush();
        self->arm_timer();
      }));
}

void client_impl::drop(std::error_code why) {
  const bool was_up = transport_up_;
  const bool established = session_.phase() == session::phase::connected;
  if (was_up) log(log_level::info, "connection closed: " + why.message());
  {
    std::lock_guard lock{facts_mutex_};
    connected_server_.clear();
  }
  ++generation_;
  close_transport();
  resolver_.cancel();
  tick_timer_.cancel();
  connect_timer_.cancel();
  transport_up_ = false;
  writing_ = false;
  connecting_ = false;
  if (session_over() || !was_up) return;
  if (!established) return attempt_failed();  // the handshake never completed
  // A working connection went away: try again at once, then back off.
  session_.transport_lost();
  failures_in_row_ = 0;
  start_attempt();
}

}  // namespace zkpp::detail
