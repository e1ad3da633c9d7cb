#include "zkpp/detail/server/request_handler.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "zkpp/detail/jute/encoded_size.hpp"
#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/path.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/detail/server/acl_check.hpp"
#include "zkpp/detail/server/error_names.hpp"
#include "zkpp/detail/server/four_letter_words.hpp"
#include "zkpp/detail/server/hex.hpp"

namespace zkpp::detail::server {
namespace {

using proto::opcode;

bool is_special_path(std::string_view path) {
  return path == "/" || path == "/zookeeper" || path == "/zookeeper/quota" ||
         path == "/zookeeper/config";
}

// ZooKeeper derives the parent by cutting at the last '/', without validating.
std::string parent_of(const std::string& path, std::size_t slash) {
  return slash == 0 ? std::string{"/"} : path.substr(0, slash);
}

bool version_matches(std::int32_t expected, std::int32_t current) {
  return expected == -1 || expected == current;
}

// The `lop` tags of the cons four-letter word.
const char* op_tag(std::int32_t type) {
  static constexpr std::pair<opcode, const char*> tags[] = {
      {opcode::ping, "PING"},          {opcode::create, "CREA"},
      {opcode::create2, "CREA"},       {opcode::create_container, "CREA"},
      {opcode::create_ttl, "CREA"},    {opcode::remove, "DELE"},
      {opcode::exists, "EXIS"},        {opcode::get_data, "GETD"},
      {opcode::set_data, "SETD"},      {opcode::get_acl, "GETA"},
      {opcode::set_acl, "SETA"},       {opcode::get_children, "GETC"},
      {opcode::get_children2, "GETC"}, {opcode::sync, "SYNC"},
      {opcode::check, "CHEC"},         {opcode::multi, "MULT"},
      {opcode::multi_read, "MLTR"},    {opcode::reconfig, "RECO"},
      {opcode::check_watches, "CHKW"}, {opcode::remove_watches, "REMW"},
      {opcode::set_watches, "SETW"},   {opcode::set_watches2, "SETW"},
      {opcode::add_watch, "ADDW"},     {opcode::get_ephemerals, "GETE"},
      {opcode::who_am_i, "HOMI"},      {opcode::get_all_children_number, "GACN"},
      {opcode::close_session, "CLOS"}, {opcode::auth, "AUTH"},
  };
  for (const auto& [op, tag] : tags)
    if (static_cast<std::int32_t>(op) == type) return tag;
  return "NA";
}

// A frame is built in one string: the body is encoded after room left for
// the length and reply header, which are written last, so a body (up to a
// megabyte of node data) is not copied again into a second string.
const std::size_t frame_head = 4 + jute::encode(proto::reply_header{}).size();

// Node data at least this long is sent from the tree's block rather than
// copied into the reply (smaller data is in arena pages, which are not shared).
constexpr std::size_t shared_data_min = 4096;

std::string frame_start() {
  return std::string(frame_head, '\0');
}

template <class Record>
void append(std::string& frame, const Record& r) {
  frame.reserve(frame.size() + jute::encoded_size(r));
  jute::writer{frame}.put(r);
}

// Writes the length of a frame of `size` bytes, and its header, over the room
// that frame_start() left at the front of `frame`.
void seal(std::string& frame, const proto::reply_header& h, std::size_t size) {
  thread_local std::string head;
  head.clear();
  jute::writer w{head};
  w.put(static_cast<std::int32_t>(size - 4));
  w.put(h);
  frame.replace(0, head.size(), head);
}

template <class Record>
std::string frame(const proto::reply_header& h, const Record& body) {
  auto f = frame_start();
  append(f, body);
  seal(f, h, f.size());
  return f;
}

template <class Record>
std::string encode(const Record& r) {
  return jute::encode(r);
}

proto::create_ttl_request as_ttl_request(const proto::create_request& c) {
  return {c.path, c.data, c.acl, c.flags, -1};
}

// The writes that may also appear in a multi.
bool is_write_op(std::int32_t type) {
  switch (static_cast<opcode>(type)) {
    case opcode::create:
    case opcode::create2:
    case opcode::create_container:
    case opcode::create_ttl:
    case opcode::remove:
    case opcode::set_data:
    case opcode::check:
      return true;
    default:
      return false;
  }
}

// Requests whose body does not start with a path.
bool has_no_path(std::int32_t type) {
  switch (static_cast<opcode>(type)) {
    case opcode::multi:
    case opcode::multi_read:
    case opcode::who_am_i:
    case opcode::reconfig:
    case opcode::close_session:
      return true;
    default:
      return false;
  }
}

// What a follower forwards to the leader and answers only once it has
// applied everything up to it: writes, and sync.
bool goes_through_leader(std::int32_t type) {
  switch (static_cast<opcode>(type)) {
    case opcode::set_acl:
    case opcode::reconfig:
    case opcode::close_session:
    case opcode::multi:
    case opcode::sync:
      return true;
    default:
      return is_write_op(type);
  }
}

bool is_read_op(std::int32_t type) {
  return type == static_cast<std::int32_t>(opcode::get_data) ||
         type == static_cast<std::int32_t>(opcode::get_children);
}

}  // namespace

void latency_stats::add(std::int64_t ms) {
  min = count == 0 ? ms : std::min(min, ms);
  max = std::max(max, ms);
  total += ms;
  ++count;
}

server_clock server_clock::system() {
  using namespace std::chrono;
  return {
      [] { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); },
      [] { return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count(); }};
}

request_handler::request_handler(server_options options, output_sink& out, server_clock clock,
                                 txn_sink* log)
    : options_(std::move(options)),
      out_(out),
      clock_(std::move(clock)),
      sessions_(options_.tick_time.count(), std::random_device{}() * 0x100000001ULL,
                clock_.wall_ms()),
      log_(log),
      members_(options_.members) {
  const auto tick = static_cast<std::int32_t>(options_.tick_time.count());
  min_timeout_ = options_.min_session_timeout.count() > 0
                     ? static_cast<std::int32_t>(options_.min_session_timeout.count())
                     : 2 * tick;
  max_timeout_ = options_.max_session_timeout.count() > 0
                     ? static_cast<std::int32_t>(options_.max_session_timeout.count())
                     : 20 * tick;
  started_ = clock_.steady_ms();
  if (log_) zxid_ = log_->recover(tree_, sessions_, started_);
}

std::int64_t request_handler::begin_txn() {
  commit_txn();
  pending_.emplace(txn{++zxid_, clock_.wall_ms(), {}});
  return zxid_;
}

void request_handler::record(txn_op op) {
  const auto now = clock_.steady_ms();
  if (!log_) return apply(std::move(op), pending_->zxid, pending_->time, now, tree_, sessions_);
  apply(op, pending_->zxid, pending_->time, now, tree_, sessions_);
  note(std::move(op));
}

void request_handler::note(txn_op op) {
  if (log_) pending_->ops.push_back(std::move(op));
}

void request_handler::commit_txn() {
  if (!pending_) return;
  if (log_) log_->committed(*pending_, tree_, sessions_);
  pending_.reset();
}

connection_info* request_handler::find(connection_id c) {
  const auto it = connections_.find(c);
  return it == connections_.end() ? nullptr : &it->second;
}

void request_handler::connection_opened(connection_id c, std::string address, std::uint16_t port,
                                        std::size_t member) {
  auto& conn = connections_[c];
  conn.id = c;
  conn.member = member;
  conn.identities.push_back({"ip", address});
  conn.address = std::move(address);
  conn.port = port;
  conn.established = clock_.wall_ms();
  conn.accepted_at = clock_.steady_ms();
}

void request_handler::connection_closed(connection_id c) {
  auto* conn = find(c);
  if (!conn) return;
  drop(*conn);
  connections_.erase(c);
}

std::optional<connection_id> request_handler::connection_of(std::int64_t session_id) const {
  const auto it = session_connection_.find(session_id);
  if (it == session_connection_.end()) return std::nullopt;
  return it->second;
}

void request_handler::drop(connection_info& conn) {
  if (conn.closing) return;
  commit_txn();
  conn.closing = true;
  watches_.remove_watcher(conn.id);
  if (const auto it = session_connection_.find(conn.session_id);
      it != session_connection_.end() && it->second == conn.id)
    session_connection_.erase(it);
  out_.close(conn.id);
}

bool request_handler::may_send(connection_info& conn) {
  commit_txn();
  if (conn.closing) return false;
  ++conn.sent;
  ++packets_sent_;
  return true;
}

void request_handler::send(connection_info& conn, std::string f) {
  if (may_send(conn)) out_.send(conn.id, std::move(f));
}

void request_handler::send(connection_info& conn, shared_data_frame f) {
  if (may_send(conn)) out_.send_shared(conn.id, std::move(f));
}

void request_handler::reply(connection_info& conn, std::int32_t xid, std::int64_t zxid, error err,
                            std::string_view body) {
  auto f = frame_start();
  if (err == error::ok) f.append(body);
  reply_frame(conn, xid, zxid, err, std::move(f));
}

proto::reply_header request_handler::reply_header(connection_info& conn, std::int32_t xid,
                                                  std::int64_t zxid, error err) {
  // A lagging member's replies carry the zxid it has applied.
  zxid = std::min(zxid, members_.zxid(conn.member, zxid));
  const auto elapsed = std::max<std::int64_t>(0, clock_.steady_ms() - request_started_);
  conn.last_zxid = zxid;
  conn.last_response = clock_.wall_ms();
  conn.last_latency = elapsed;
  conn.latency.add(elapsed);
  latency_.add(elapsed);
  return {xid, zxid, static_cast<std::int32_t>(err)};
}

void request_handler::reply_frame(connection_info& conn, std::int32_t xid, std::int64_t zxid,
                                  error err, std::string f) {
  const auto h = reply_header(conn, xid, zxid, err);
  if (err != error::ok) f.resize(frame_head);
  seal(f, h, f.size());
  send(conn, std::move(f));
}

void request_handler::reply_shared(connection_info& conn, std::int32_t xid, shared_data_frame f) {
  seal(f.head, reply_header(conn, xid, zxid_, error::ok), f.size());
  send(conn, std::move(f));
}

void request_handler::deliver(const std::vector<notification>& notes) {
  for (const auto& n : notes) {
    auto* conn = find(n.to);
    if (!conn) continue;
    // 3.8 sends zxid -1 in notification headers.
    const proto::reply_header h{proto::xid::notification, -1, 0};
    const proto::watcher_event e{static_cast<std::int32_t>(n.type),
                                 static_cast<std::int32_t>(keeper_state::sync_connected), n.path};
    if (members_.lagging(conn->member))
      members_.hold(conn->member, conn->id, frame(h, e));
    else
      send(*conn, frame(h, e));
  }
}

void request_handler::fire(const changes& ch) {
  std::vector<notification> notes;
  for (const auto& c : ch) {
    switch (c.type) {
      case event_type::node_created:
        watches_.node_created(c.path, notes);
        break;
      case event_type::node_deleted:
        watches_.node_deleted(c.path, notes);
        break;
      default:
        watches_.data_changed(c.path, notes);
        break;
    }
  }
  deliver(notes);
}

void request_handler::frame_received(connection_id c, std::string_view payload) {
  auto* conn = find(c);
  if (!conn || conn->closing) return;
  ++packets_received_;
  ++conn->received;
  request_started_ = clock_.steady_ms();
  if (conn->session_id == 0)
    handle_connect(*conn, payload);
  else
    handle_request(*conn, payload);
  commit_txn();
}

void request_handler::attach(connection_info& conn, std::int64_t session_id,
                             std::int32_t timeout_ms) {
  conn.session_id = session_id;
  conn.timeout_ms = timeout_ms;
  conn.established = clock_.wall_ms();
  session_connection_[session_id] = conn.id;
}

void request_handler::handle_connect(connection_info& conn, std::string_view payload) {
  conn.last_op = "SESS";
  jute::reader r{payload};
  proto::connect_request req;
  r.get(req);
  if (!r.ok()) return drop(conn);
  // The readOnly byte is optional (pre-3.4 clients); its presence is echoed.
  std::optional<bool> read_only;
  if (r.remaining() > 0) r.get(read_only.emplace());
  // A client that has seen a newer state than ours must try another server.
  if (const auto ours = members_.zxid(conn.member, zxid_); req.last_zxid_seen > ours) {
    if (on_member_event_ && members_.lagging(conn.member))
      on_member_event_("lag_member: member " + std::to_string(conn.member) + " refused session 0x" +
                       hex(req.session_id) + ", which has seen zxid 0x" + hex(req.last_zxid_seen) +
                       " (member at 0x" + hex(ours) + ")");
    return drop(conn);
  }
  const auto timeout = std::clamp(req.time_out, min_timeout_, max_timeout_);
  const auto respond = [&](std::int32_t to, std::int64_t sid, std::string passwd) {
    std::string body = encode(proto::connect_response{0, to, sid, std::move(passwd)});
    if (read_only) body.push_back('\0');
    std::string f;
    jute::writer w{f};
    w.put(static_cast<std::int32_t>(body.size()));
    f.append(body);
    request_started_ = clock_.steady_ms();
    send(conn, std::move(f));
  };
  if (req.session_id == 0) {
    begin_txn();  // creating a session is a transaction
    auto& s = sessions_.create(timeout, clock_.steady_ms());
    note(txn_op{session_record{s.id, timeout, s.password}});
    attach(conn, s.id, timeout);
    return respond(timeout, s.id, s.password);
  }
  auto* s = sessions_.find(req.session_id);
  if (!s || req.passwd != s->password) {
    respond(0, 0, std::string(proto::session_password_size, '\0'));
    return drop(conn);
  }
  if (const auto old = connection_of(s->id); old && *old != conn.id)
    if (auto* other = find(*old)) drop(*other);
  attach(conn, s->id, timeout);
  sessions_.touch(s->id, timeout, clock_.steady_ms());
  respond(timeout, s->id, s->password);
}

void request_handler::handle_request(connection_info& conn, std::string_view payload) {
  jute::reader r{payload};
  proto::request_header h;
  r.get(h);
  if (!r.ok()) return drop(conn);
  const auto body = payload.substr(r.position());
  sessions_.touch(conn.session_id, conn.timeout_ms, clock_.steady_ms());
  conn.last_op = op_tag(h.type);
  if (h.type != static_cast<std::int32_t>(opcode::ping)) conn.last_cxid = h.xid;
  if (h.xid > 0 && rejections_left_ > 0) return reject(conn, h.xid, h.type, body);
  if (goes_through_leader(h.type)) catch_up_member(conn.member);
  if (is_write_op(h.type)) return handle_write(conn, h.xid, h.type, body);
  switch (static_cast<opcode>(h.type)) {
    case opcode::ping:
      return reply(conn, proto::xid::ping, zxid_, error::ok);
    case opcode::auth:
      return handle_auth(conn, h.xid, body);
    case opcode::set_acl:
    case opcode::reconfig:
    case opcode::close_session:
      return handle_write(conn, h.xid, h.type, body);
    case opcode::multi:
      return handle_multi(conn, h.xid, body);
    case opcode::multi_read:
      return handle_multi_read(conn, h.xid, body);
    case opcode::exists:
    case opcode::get_data:
    case opcode::get_acl:
    case opcode::get_children:
    case opcode::get_children2:
    case opcode::sync:
    case opcode::get_ephemerals:
    case opcode::get_all_children_number:
    case opcode::who_am_i:
      return handle_read(conn, h.xid, h.type, body);
    case opcode::set_watches:
    case opcode::set_watches2:
      return handle_set_watches(conn, h.xid, h.type, body);
    case opcode::add_watch:
    case opcode::check_watches:
    case opcode::remove_watches:
      return handle_watch_query(conn, h.xid, h.type, body);
    default:
      reply(conn, h.xid, -1, error::unimplemented);
      return drop(conn);
  }
}

void request_handler::reject_next(int count, error err,
                                  std::function<void(std::string)> on_reject) {
  rejections_left_ = std::max(count, 0);
  rejection_ = err;
  on_reject_ = std::move(on_reject);
}

void request_handler::reject(connection_info& conn, std::int32_t xid, std::int32_t type,
                             std::string_view body) {
  --rejections_left_;
  std::string path;
  if (!has_no_path(type)) {
    jute::reader r{body};
    r.get(path);
  }
  if (on_reject_)
    on_reject_("reject_next: session 0x" + hex(conn.session_id) + " " + op_tag(type) +
               (path.empty() ? "" : " " + path) + " -> " + error_name(rejection_) + " (" +
               std::to_string(rejections_left_) + " left)");
  reply(conn, xid, zxid_, rejection_);
}

void request_handler::handle_auth(connection_info& conn, std::int32_t xid, std::string_view body) {
  proto::auth_packet p;
  if (!jute::decode(body, p)) return drop(conn);
  const auto add = [&](zkpp::id i) {
    if (std::find(conn.identities.begin(), conn.identities.end(), i) == conn.identities.end())
      conn.identities.push_back(std::move(i));
  };
  if (p.scheme == "digest") {
    const auto identity = digest_identity(p.auth.value_or(""));
    if (!options_.super_digest.empty() && identity == options_.super_digest) add({"super", ""});
    add({"digest", identity});
    return reply(conn, xid, 0, error::ok);
  }
  // The ip provider authenticates the connection's own address, already held.
  if (p.scheme == "ip") return reply(conn, xid, 0, error::ok);
  reply(conn, xid, 0, error::auth_failed);
  drop(conn);
}

error request_handler::create(connection_info& conn, const proto::create_ttl_request& req,
                              std::string& path, zkpp::stat& stat, changes& ch) {
  if (req.flags < 0 || req.flags > 6) return error::bad_arguments;
  const auto mode = static_cast<create_mode>(req.flags);
  if (is_ttl(mode) && !options_.extended_types_enabled) return error::unimplemented;
  if (is_ttl(mode) ? (req.ttl <= 0 || req.ttl > max_ttl_ms) : req.ttl >= 0)
    return error::bad_arguments;
  const auto slash = req.path.rfind('/');
  if (slash == std::string::npos || req.path.find('\0') != std::string::npos)
    return error::bad_arguments;
  auto acl = fixup_acl(req.acl, conn.identities);
  if (!acl) return error::invalid_acl;
  const auto parent = tree_.find(parent_of(req.path, slash));
  if (!parent) return error::no_node;
  if (!permitted(*parent->acl, perms::create, conn.identities)) return error::no_auth;
  path = req.path;
  if (is_sequential(mode)) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%010d", parent->child_creations);
    path += suffix;
  }
  if (!proto::is_valid_path(path)) return error::bad_arguments;
  if (tree_.find(path)) return error::node_exists;
  if (parent->ephemeral_session() != 0) return error::no_children_for_ephemerals;
  std::int64_t owner = 0;
  if (is_ephemeral(mode))
    owner = conn.session_id;
  else if (mode == create_mode::container)
    owner = container_owner;
  else if (is_ttl(mode))
    owner = ttl_owner(req.ttl);
  record(txn_op{txn_create{path, req.data, std::move(*acl), owner}});
  stat = tree_.find(path)->stat();
  ch.push_back({event_type::node_created, path});
  return error::ok;
}

error request_handler::remove(connection_info& conn, const proto::path_version_request& req,
                              changes& ch) {
  const auto slash = req.path.rfind('/');
  if (slash == std::string::npos || req.path.find('\0') != std::string::npos ||
      is_special_path(req.path))
    return error::bad_arguments;
  const auto parent = tree_.find(parent_of(req.path, slash));
  if (!parent) return error::no_node;
  if (!permitted(*parent->acl, perms::remove, conn.identities)) return error::no_auth;
  const auto n = tree_.find(req.path);
  if (!n) return error::no_node;
  if (!version_matches(req.version, n->version)) return error::bad_version;
  if (n->num_children != 0) return error::not_empty;
  record(txn_op{txn_delete{req.path}});
  ch.push_back({event_type::node_deleted, req.path});
  return error::ok;
}

error request_handler::set_data(connection_info& conn, const proto::set_data_request& req,
                                zkpp::stat& stat, changes& ch) {
  if (!proto::is_valid_path(req.path)) return error::bad_arguments;
  const auto n = tree_.find(req.path);
  if (!n) return error::no_node;
  if (!permitted(*n->acl, perms::write, conn.identities)) return error::no_auth;
  if (!version_matches(req.version, n->version)) return error::bad_version;
  record(txn_op{txn_set_data{req.path, req.data}});
  stat = tree_.find(req.path)->stat();
  ch.push_back({event_type::node_data_changed, req.path});
  return error::ok;
}

error request_handler::set_acl(connection_info& conn, std::string_view body, zkpp::stat& stat) {
  proto::set_acl_request req;
  if (!jute::decode(body, req)) return error::marshalling_error;
  if (!proto::is_valid_path(req.path)) return error::bad_arguments;
  auto acl = fixup_acl(req.acl, conn.identities);
  if (!acl) return error::invalid_acl;
  const auto n = tree_.find(req.path);
  if (!n) return error::no_node;
  if (!permitted(*n->acl, perms::admin, conn.identities)) return error::no_auth;
  if (!version_matches(req.version, n->aversion)) return error::bad_version;
  record(txn_op{txn_set_acl{req.path, std::move(*acl)}});
  stat = tree_.find(req.path)->stat();
  return error::ok;
}

error request_handler::check_version(connection_info& conn,
                                     const proto::path_version_request& req) {
  if (!proto::is_valid_path(req.path)) return error::bad_arguments;
  const auto n = tree_.find(req.path);
  if (!n) return error::no_node;
  if (!permitted(*n->acl, perms::read, conn.identities)) return error::no_auth;
  if (!version_matches(req.version, n->version)) return error::bad_version;
  return error::ok;
}

void request_handler::handle_write(connection_info& conn, std::int32_t xid, std::int32_t type,
                                   std::string_view body) {
  // Every write is a transaction: it takes a zxid even when it fails.
  const auto zxid = begin_txn();
  const auto op = static_cast<opcode>(type);
  changes ch;
  std::string out;
  error err = error::ok;
  switch (op) {
    case opcode::create:
    case opcode::create2:
    case opcode::create_container:
    case opcode::create_ttl: {
      proto::create_ttl_request req;
      if (op == opcode::create_ttl) {
        if (!jute::decode(body, req)) err = error::marshalling_error;
      } else {
        proto::create_request c;
        if (jute::decode(body, c))
          req = as_ttl_request(c);
        else
          err = error::marshalling_error;
      }
      std::string path;
      zkpp::stat stat;
      if (err == error::ok) err = create(conn, req, path, stat, ch);
      out = op == opcode::create ? encode(proto::create_response{path})
                                 : encode(proto::create2_response{path, stat});
      break;
    }
    case opcode::remove: {
      proto::delete_request req;
      err = jute::decode(body, req) ? remove(conn, req, ch) : error::marshalling_error;
      break;
    }
    case opcode::set_data: {
      proto::set_data_request req;
      zkpp::stat stat;
      err = jute::decode(body, req) ? set_data(conn, req, stat, ch) : error::marshalling_error;
      out = encode(proto::set_data_response{stat});
      break;
    }
    case opcode::set_acl: {
      zkpp::stat stat;
      err = set_acl(conn, body, stat);
      out = encode(proto::set_acl_response{stat});
      break;
    }
    case opcode::check:
      // A 3.8 server takes the zxid and then fails internally: no reply at all.
      return;
    case opcode::reconfig:
      err = error::reconfig_disabled;
      break;
    default: {  // close_session
      close_session(conn.session_id);
      reply(conn, xid, zxid, error::ok);
      return drop(conn);
    }
  }
  if (err == error::ok) fire(ch);
  reply(conn, xid, zxid, err, std::move(out));
}

error request_handler::run_multi_op(connection_info& conn, const proto::multi_op& op,
                                    proto::multi_result& result, changes& ch) {
  result.type = op.type;
  switch (static_cast<opcode>(op.type)) {
    case opcode::create:
    case opcode::create2:
    case opcode::create_container:
    case opcode::create_ttl: {
      const auto req = op.type == static_cast<std::int32_t>(opcode::create_ttl)
                           ? std::get<proto::create_ttl_request>(op.request)
                           : as_ttl_request(std::get<proto::create_request>(op.request));
      std::string path;
      zkpp::stat stat;
      const auto err = create(conn, req, path, stat, ch);
      // 3.8 answers create / create2 sub-ops with a plain create result and
      // container / TTL creates with a create2 result (PROTOCOL.md §7 item 4).
      if (op.type == static_cast<std::int32_t>(opcode::create) ||
          op.type == static_cast<std::int32_t>(opcode::create2)) {
        result.type = static_cast<std::int32_t>(opcode::create);
        result.response = proto::path_record{path};
      } else {
        result.type = static_cast<std::int32_t>(opcode::create2);
        result.response = proto::create2_response{path, stat};
      }
      return err;
    }
    case opcode::remove:
      return remove(conn, std::get<proto::path_version_request>(op.request), ch);
    case opcode::check:
      return check_version(conn, std::get<proto::path_version_request>(op.request));
    default: {  // set_data
      zkpp::stat stat;
      const auto err = set_data(conn, std::get<proto::set_data_request>(op.request), stat, ch);
      result.response = proto::set_data_response{stat};
      return err;
    }
  }
}

void request_handler::handle_multi(connection_info& conn, std::int32_t xid, std::string_view body) {
  const auto zxid = begin_txn();
  proto::multi_request req;
  if (!jute::decode(body, req) ||
      !std::all_of(req.ops.begin(), req.ops.end(), [](auto& op) { return is_write_op(op.type); }))
    return reply(conn, xid, zxid, error::marshalling_error);
  proto::multi_response rsp;
  changes ch;
  std::size_t failed = req.ops.size();
  error failure = error::ok;
  tree_.begin_undo();
  for (std::size_t i = 0; i < req.ops.size(); ++i) {
    auto& result = rsp.results.emplace_back();
    failure = run_multi_op(conn, req.ops[i], result, ch);
    if (failure != error::ok) {
      failed = i;
      break;
    }
  }
  if (failed == req.ops.size()) {
    tree_.commit();
    fire(ch);
  } else {
    // Atomic: nothing applied; every result becomes an error result.
    tree_.rollback();
    pending_->ops.clear();
    rsp.results.clear();
    for (std::size_t i = 0; i < req.ops.size(); ++i) {
      const auto code = static_cast<std::int32_t>(i < failed    ? error::ok
                                                  : i == failed ? failure
                                                                : error::runtime_inconsistency);
      // Built in place: GCC 12 -O2 misreads a moved-from variant temporary as uninitialised.
      auto& result = rsp.results.emplace_back();
      result.type = static_cast<std::int32_t>(opcode::error);
      result.err = code;
      result.response.emplace<proto::error_response>(proto::error_response{code});
    }
  }
  reply(conn, xid, zxid, error::ok, encode(rsp));
}

error request_handler::get_data(connection_info& conn, const proto::path_watch_request& req,
                                proto::get_data_view& rsp, std::shared_ptr<const char[]>* owner) {
  std::optional<node> n;
  if (const auto e = find_permitted(conn, req.path, perms::read, n); e != error::ok) return e;
  if (req.watch) watches_.data.add(req.path, conn.id, watch_mode::standard);
  rsp.stat = n->stat();
  rsp.data = n->data;
  if (owner) *owner = n->data_owner();
  return error::ok;
}

error request_handler::get_children(connection_info& conn, const proto::path_watch_request& req,
                                    std::vector<std::string>& children, zkpp::stat& stat) {
  std::optional<node> n;
  if (const auto e = find_permitted(conn, req.path, perms::read, n); e != error::ok) return e;
  if (req.watch) watches_.child.add(req.path, conn.id, watch_mode::standard);
  children = n->children();
  stat = n->stat();
  return error::ok;
}

void request_handler::handle_multi_read(connection_info& conn, std::int32_t xid,
                                        std::string_view body) {
  proto::multi_request req;
  if (!jute::decode(body, req) ||
      !std::all_of(req.ops.begin(), req.ops.end(), [](auto& op) { return is_read_op(op.type); }))
    return reply(conn, xid, zxid_, error::marshalling_error);
  proto::multi_response rsp;
  // Not atomic: each read succeeds or fails on its own.
  for (const auto& op : req.ops) {
    const auto& r = std::get<proto::path_watch_request>(op.request);
    auto& result = rsp.results.emplace_back();
    result.type = op.type;
    error err;
    if (op.type == static_cast<std::int32_t>(opcode::get_data)) {
      proto::get_data_view data;
      err = get_data(conn, r, data);
      result.response = proto::get_data_response{std::optional<std::string>{data.data}, data.stat};
    } else {
      proto::get_children_response children;
      zkpp::stat stat;
      err = get_children(conn, r, children.children, stat);
      result.response = std::move(children);
    }
    if (err != error::ok) {
      const auto code = static_cast<std::int32_t>(err);
      result = {static_cast<std::int32_t>(opcode::error), code, proto::error_response{code}};
    }
  }
  reply(conn, xid, zxid_, error::ok, encode(rsp));
}

namespace {

// Decodes the request record and runs `f` on it; MARSHALLINGERROR if the body is malformed.
template <class Request, class F>
error with_request(std::string_view body, F&& f) {
  Request req;
  return jute::decode(body, req) ? f(req) : error::marshalling_error;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

error request_handler::find_permitted(const connection_info& conn, std::string_view path,
                                      std::int32_t perm, std::optional<node>& n) const {
  n = view(conn).find(path);
  if (!n) return error::no_node;
  return permitted(*n->acl, perm, conn.identities) ? error::ok : error::no_auth;
}

void request_handler::handle_read(connection_info& conn, std::int32_t xid, std::int32_t type,
                                  std::string_view body) {
  auto out = frame_start();
  std::optional<shared_data_frame> shared;
  std::optional<node> n;
  error err = error::ok;
  switch (static_cast<opcode>(type)) {
    case opcode::exists:
      err = with_request<proto::exists_request>(body, [&](auto& req) {
        // The watch is set even when the node does not exist.
        if (req.watch) watches_.data.add(req.path, conn.id, watch_mode::standard);
        n = view(conn).find(req.path);
        if (!n) return error::no_node;
        append(out, proto::exists_response{n->stat()});
        return error::ok;
      });
      break;
    case opcode::get_data:
      err = with_request<proto::get_data_request>(body, [&](auto& req) {
        proto::get_data_view rsp;
        std::shared_ptr<const char[]> owner;
        const auto e = get_data(conn, req, rsp, &owner);
        if (e == error::ok && owner && rsp.data && rsp.data->size() >= shared_data_min) {
          // The data goes out from the tree's block itself; only the rest is encoded.
          std::string tail;
          const auto data = jute::encode_split(rsp, shared_data_min, out, tail);
          shared = shared_data_frame{std::move(out), std::move(owner), data, std::move(tail)};
        } else {
          append(out, rsp);
        }
        return e;
      });
      break;
    case opcode::get_children:
    case opcode::get_children2:
      err = with_request<proto::get_children2_request>(body, [&](auto& req) {
        proto::get_children2_response rsp;
        const auto e = get_children(conn, req, rsp.children, rsp.stat);
        if (type == static_cast<std::int32_t>(opcode::get_children))
          append(out, proto::get_children_response{rsp.children});
        else
          append(out, rsp);
        return e;
      });
      break;
    case opcode::get_acl:
      err = with_request<proto::get_acl_request>(body, [&](auto& req) {
        const auto e = find_permitted(conn, req.path, perms::read | perms::admin, n);
        if (e != error::ok) return e;
        const bool admin = permitted(*n->acl, perms::admin, conn.identities);
        append(out, proto::get_acl_response{admin ? *n->acl : redact_digests(*n->acl), n->stat()});
        return error::ok;
      });
      break;
    case opcode::sync:
      err = with_request<proto::sync_request>(body, [&](auto& req) {
        append(out, proto::sync_response{req.path.value_or("")});
        return error::ok;
      });
      break;
    case opcode::get_ephemerals:
      err = with_request<proto::get_ephemerals_request>(body, [&](auto& req) {
        const auto trimmed = trim(req.prefix_path);
        proto::get_ephemerals_response rsp;
        for (const auto& path : view(conn).ephemerals(conn.session_id))
          if (trimmed.empty() || trimmed == "/" || path.starts_with(req.prefix_path))
            rsp.ephemerals.push_back(path);
        append(out, rsp);
        return error::ok;
      });
      break;
    case opcode::get_all_children_number:
      err = with_request<proto::get_all_children_number_request>(body, [&](auto& req) {
        const auto e = find_permitted(conn, req.path, perms::read, n);
        if (e == error::ok)
          append(out,
                 proto::get_all_children_number_response{view(conn).descendant_count(req.path)});
        return e;
      });
      break;
    default: {  // who_am_i: authenticated identities first, then the address
      proto::who_am_i_response rsp;
      for (int pass = 0; pass < 2; ++pass)
        for (const auto& i : conn.identities) {
          if ((i.scheme == "ip") != (pass == 1)) continue;
          const auto user = i.scheme == "digest" ? i.id.substr(0, i.id.find(':')) : i.id;
          rsp.client_info.push_back({i.scheme, user});
        }
      append(out, rsp);
      break;
    }
  }
  if (shared) return reply_shared(conn, xid, std::move(*shared));
  reply_frame(conn, xid, zxid_, err, std::move(out));
}

void request_handler::handle_set_watches(connection_info& conn, std::int32_t xid, std::int32_t type,
                                         std::string_view body) {
  proto::set_watches2 req;
  bool decoded;
  if (type == static_cast<std::int32_t>(opcode::set_watches)) {
    proto::set_watches old;
    decoded = jute::decode(body, old);
    req = {old.relative_zxid, old.data_watches, old.exist_watches, old.child_watches, {}, {}};
  } else {
    decoded = jute::decode(body, req);
  }
  if (!decoded) return reply(conn, xid, zxid_, error::marshalling_error);
  // Re-arm each watch, or fire at once what the client missed (§12.7).
  std::vector<notification> notes;
  const auto note = [&](event_type t, const std::string& path) {
    notes.push_back({conn.id, t, path});
  };
  const auto rearm = [&](const std::vector<std::string>& paths, watch_index& index,
                         std::int64_t node::*changed_at, event_type changed) {
    for (const auto& path : paths) {
      const auto n = view(conn).find(path);
      if (!n)
        note(event_type::node_deleted, path);
      else if ((*n).*changed_at > req.relative_zxid)
        note(changed, path);
      else
        index.add(path, conn.id, watch_mode::standard);
    }
  };
  rearm(req.data_watches, watches_.data, &node::mzxid, event_type::node_data_changed);
  for (const auto& path : req.exist_watches) {
    if (view(conn).find(path))
      note(event_type::node_created, path);
    else
      watches_.data.add(path, conn.id, watch_mode::standard);
  }
  rearm(req.child_watches, watches_.child, &node::pzxid, event_type::node_children_changed);
  for (const auto& [paths, mode] :
       {std::pair{&req.persistent_watches, watch_mode::persistent},
        std::pair{&req.persistent_recursive_watches, watch_mode::persistent_recursive}})
    for (const auto& path : *paths) {
      watches_.data.add(path, conn.id, mode);
      watches_.child.add(path, conn.id, mode);
    }
  deliver(notes);
  reply(conn, xid, zxid_, error::ok);
}

void request_handler::handle_watch_query(connection_info& conn, std::int32_t xid, std::int32_t type,
                                         std::string_view body) {
  if (type == static_cast<std::int32_t>(opcode::add_watch)) {
    proto::add_watch_request req;
    if (!jute::decode(body, req) || req.mode < 0 || req.mode > 1)
      return reply(conn, xid, zxid_, error::marshalling_error);
    // 3.8 keeps a persistent watch in both tables (PROTOCOL.md §12.6 item 5).
    const auto mode = req.mode == 0 ? watch_mode::persistent : watch_mode::persistent_recursive;
    watches_.data.add(req.path, conn.id, mode);
    watches_.child.add(req.path, conn.id, mode);
    return reply(conn, xid, zxid_, error::ok, encode(proto::error_response{0}));
  }
  proto::path_type_request req;
  if (!jute::decode(body, req) || req.type < 1 || req.type > 3)
    return reply(conn, xid, zxid_, error::marshalling_error);
  const auto wt = static_cast<watcher_type>(req.type);
  const bool children = wt != watcher_type::data;
  const bool data = wt != watcher_type::children;
  bool found = false;
  if (type == static_cast<std::int32_t>(opcode::check_watches)) {
    found = (children && watches_.child.contains(req.path, conn.id)) ||
            (data && watches_.data.contains(req.path, conn.id));
  } else {
    const bool from_child = children && watches_.child.remove(req.path, conn.id);
    const bool from_data = data && watches_.data.remove(req.path, conn.id);
    found = from_child || from_data;
  }
  reply(conn, xid, zxid_, found ? error::ok : error::no_watcher);
}

void request_handler::close_session(std::int64_t session_id) {
  changes ch;
  const auto paths = tree_.ephemerals(session_id);
  for (const auto& path : paths) {
    record(txn_op{txn_delete{path}});
    ch.push_back({event_type::node_deleted, path});
  }
  record(txn_op{txn_close_session{session_id}});
  fire(ch);
}

bool request_handler::expire_session(std::int64_t session_id) {
  if (!sessions_.find(session_id)) return false;
  const auto conn = connection_of(session_id);
  begin_txn();
  close_session(session_id);
  if (conn)
    if (auto* c = find(*conn)) drop(*c);
  commit_txn();
  return true;
}

void request_handler::expire_due() {
  const auto now = clock_.steady_ms();
  for (const auto id : sessions_.expired(now)) expire_session(id);
  std::vector<connection_id> sessionless;
  for (const auto& [id, conn] : connections_)
    if (conn.session_id == 0 && !conn.closing &&
        now - conn.accepted_at >= options_.sessionless_timeout.count())
      sessionless.push_back(id);
  for (const auto id : sessionless) drop(connections_.at(id));
}

void request_handler::reap() {
  for (const auto& path : tree_.reap_candidates(clock_.wall_ms())) {
    begin_txn();
    record(txn_op{txn_delete{path}});
    fire({{event_type::node_deleted, path}});
  }
  commit_txn();
}

const data_tree& request_handler::view(const connection_info& conn) const {
  return members_.tree(conn.member, tree_);
}

void request_handler::lag_member(std::size_t m) {
  members_.lag(m, tree_, zxid_);
}

void request_handler::catch_up_member(std::size_t m) {
  if (!members_.lagging(m)) return;
  auto missed = missed_while_lagging(m);
  for (auto& [to, f] : members_.catch_up(m))
    if (auto* conn = find(to)) send(*conn, std::move(f));
  deliver(missed);
}

// Standard watches set through lagging member m on nodes that changed after
// the member stopped but before the watch was set: the member's clients saw
// the old state, and a ZooKeeper follower fires these when it applies the
// change. (A watch set before the lag that is still armed saw no change.)
std::vector<notification> request_handler::missed_while_lagging(std::size_t m) {
  const auto& frozen = members_.tree(m, tree_);
  std::vector<notification> notes;
  const auto consume = [&](watch_index& index, bool children) {
    std::vector<std::pair<std::string, watcher_id>> fired;
    for (const auto& [path, watchers] : index.by_path()) {
      const auto before = frozen.find(path);
      const auto now = tree_.find(path);
      const bool recreated = before && now && before->czxid != now->czxid;
      auto type = event_type::none;
      if ((before && !now) || recreated)
        type = event_type::node_deleted;
      else if (!before && now && !children)
        type = event_type::node_created;
      else if (before && now && !children && before->mzxid != now->mzxid)
        type = event_type::node_data_changed;
      else if (before && now && children && before->pzxid != now->pzxid)
        type = event_type::node_children_changed;
      if (type == event_type::none) continue;
      for (const auto& [w, mode] : watchers) {
        const auto* conn = find(w);
        if (mode != watch_mode::standard || !conn || conn->member != m) continue;
        notes.push_back({w, type, path});
        fired.emplace_back(path, w);
      }
    }
    for (const auto& [path, w] : fired) index.remove(path, w);
  };
  consume(watches_.data, false);
  consume(watches_.child, true);
  return notes;
}

std::optional<std::string> request_handler::four_letter_word(connection_id c, std::uint32_t word) {
  const char text[4] = {static_cast<char>(word >> 24), static_cast<char>(word >> 16),
                        static_cast<char>(word >> 8), static_cast<char>(word)};
  const std::string_view cmd{text, 4};
  if (!is_four_letter_word(cmd)) return std::nullopt;
  auto* conn = find(c);
  if (conn) ++conn->received;
  const auto member = conn ? conn->member : 0;
  const char* mode = members_.size() == 1 ? "standalone" : member == 0 ? "leader" : "follower";
  return four_letter_reply(*this, cmd, mode);
}

}  // namespace zkpp::detail::server
