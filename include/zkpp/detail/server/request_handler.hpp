#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/server/connection_info.hpp"
#include "zkpp/detail/server/data_tree.hpp"
#include "zkpp/detail/server/member_views.hpp"
#include "zkpp/detail/server/session_table.hpp"
#include "zkpp/detail/server/shared_data_frame.hpp"
#include "zkpp/detail/server/txn_record.hpp"
#include "zkpp/detail/server/watch_table.hpp"
#include "zkpp/error.hpp"
#include "zkpp/server.hpp"

namespace zkpp::detail::proto {
struct reply_header;
struct create_ttl_request;
struct path_version_request;
struct set_data_request;
struct path_watch_request;
template <class Bytes>
struct basic_get_data_response;
using get_data_view = basic_get_data_response<std::string_view>;
struct multi_op;
struct multi_result;
}  // namespace zkpp::detail::proto

namespace zkpp::detail::server {

// Where the handler's output goes: frames for a connection, and "close this
// connection once what was sent before is written".
class output_sink {
 public:
  virtual void send(connection_id to, std::string frame) = 0;
  // A frame that shares node data rather than copying it; a sink that keeps
  // frames for later flattens it.
  virtual void send_shared(connection_id to, shared_data_frame frame) { send(to, frame.flatten()); }
  virtual void close(connection_id c) = 0;

 protected:
  ~output_sink() = default;
};

struct server_clock {
  std::function<std::int64_t()> wall_ms;    // ctime / mtime
  std::function<std::int64_t()> steady_ms;  // session expiry
  static server_clock system();
};

// The whole server without I/O: takes the payloads of received frames
// (connect requests and requests) and timer ticks, and produces reply and
// notification frames through an output_sink, with ZooKeeper 3.8's semantics.
// Not thread-safe: the network front calls it from one thread.
class request_handler {
 public:
  // With a `log`, the state starts from what it recovers, and every
  // transaction goes to it before anything the transaction causes is sent.
  request_handler(server_options options, output_sink& out,
                  server_clock clock = server_clock::system(), txn_sink* log = nullptr);

  // `member`: which member of the ensemble accepted it (see member_views).
  void connection_opened(connection_id c, std::string address, std::uint16_t port,
                         std::size_t member = 0);
  // One frame's payload (without the length prefix).
  void frame_received(connection_id c, std::string_view payload);
  void connection_closed(connection_id c);

  // The reply to a four-letter word sent as the first 4 bytes of connection
  // `c`, or nullopt if `word` is not one (then it is a frame length).
  std::optional<std::string> four_letter_word(connection_id c, std::uint32_t word);

  // Expires every session whose deadline has passed.
  void expire_due();
  // Deletes empty containers and expired TTL nodes.
  void reap();
  bool expire_session(std::int64_t session_id);
  std::optional<connection_id> connection_of(std::int64_t session_id) const;

  // A fault: answers the next `count` client requests (positive xid) with
  // `err` instead of applying them, and tells `on_reject` about each one
  // ("reject_next: session 0x1f GETD /x -> operation_timeout").
  void reject_next(int count, error err, std::function<void(std::string)> on_reject);

  // Ensemble members (server_options::members). A lagging member answers
  // reads from the state it stopped at and holds its clients' notifications
  // until it catches up: at catch_up_member(), or when one of its clients
  // syncs or writes (which goes through the leader). Clients that have seen
  // a newer zxid than a lagging member's are refused, as ZooKeeper does.
  void lag_member(std::size_t m);
  void catch_up_member(std::size_t m);
  bool member_lagging(std::size_t m) const { return members_.lagging(m); }
  std::int64_t member_zxid(std::size_t m) const { return members_.zxid(m, zxid_); }
  // Hears what the members' lag does to clients (refusals), for the fault log.
  void on_member_event(std::function<void(std::string)> f) { on_member_event_ = std::move(f); }

  const server_options& options() const { return options_; }
  std::int64_t last_zxid() const { return zxid_; }
  std::size_t members() const { return members_.size(); }
  const data_tree& tree() const { return tree_; }
  const session_table& sessions() const { return sessions_; }
  const watch_table& watches() const { return watches_; }
  const std::map<connection_id, connection_info>& connections() const { return connections_; }
  std::uint64_t packets_received() const { return packets_received_; }
  std::uint64_t packets_sent() const { return packets_sent_; }
  const latency_stats& latency() const { return latency_; }
  std::int64_t wall_ms() const { return clock_.wall_ms(); }
  std::int64_t steady_ms() const { return clock_.steady_ms(); }
  std::int64_t started_steady_ms() const { return started_; }

 private:
  struct change {
    event_type type;
    std::string path;
  };
  using changes = std::vector<change>;

  void handle_connect(connection_info& conn, std::string_view payload);
  void handle_request(connection_info& conn, std::string_view payload);
  void handle_auth(connection_info& conn, std::int32_t xid, std::string_view body);
  void handle_write(connection_info& conn, std::int32_t xid, std::int32_t type,
                    std::string_view body);
  void handle_read(connection_info& conn, std::int32_t xid, std::int32_t type,
                   std::string_view body);
  void handle_multi(connection_info& conn, std::int32_t xid, std::string_view body);
  void handle_multi_read(connection_info& conn, std::int32_t xid, std::string_view body);
  void handle_set_watches(connection_info& conn, std::int32_t xid, std::int32_t type,
                          std::string_view body);
  void handle_watch_query(connection_info& conn, std::int32_t xid, std::int32_t type,
                          std::string_view body);

  // Write operations, within the current transaction; each checks in
  // ZooKeeper's order, mutates the tree on success and records what changed
  // for the watches.
  error create(connection_info& conn, const proto::create_ttl_request& req, std::string& path,
               zkpp::stat& stat, changes& ch);
  error remove(connection_info& conn, const proto::path_version_request& req, changes& ch);
  error set_data(connection_info& conn, const proto::set_data_request& req, zkpp::stat& stat,
                 changes& ch);
  error check_version(connection_info& conn, const proto::path_version_request& req);
  error set_acl(connection_info& conn, std::string_view body, zkpp::stat& stat);
  error run_multi_op(connection_info& conn, const proto::multi_op& op, proto::multi_result& result,
                     changes& ch);

  // The node at `path` if the connection holds `perm` on it: NONODE / NOAUTH otherwise.
  error find_permitted(const connection_info& conn, std::string_view path, std::int32_t perm,
                       std::optional<node>& n) const;
  // Reads shared by the plain opcodes and multiRead.
  error get_data(connection_info& conn, const proto::path_watch_request& req,
                 proto::get_data_view& rsp, std::shared_ptr<const char[]>* owner = nullptr);
  error get_children(connection_info& conn, const proto::path_watch_request& req,
                     std::vector<std::string>& children, zkpp::stat& stat);

  // A transaction: begin_txn() takes the next zxid; record() applies each
  // change to the tree or sessions (note() one applied already);
  // commit_txn() hands it to the log. Output commits first, so nothing is
  // sent before the transaction that caused it is logged.
  std::int64_t begin_txn();
  void record(txn_op op);
  void note(txn_op op);
  void commit_txn();

  void attach(connection_info& conn, std::int64_t session_id, std::int32_t timeout_ms);
  void close_session(std::int64_t session_id);
  void fire(const changes& ch);
  void deliver(const std::vector<notification>& notes);
  void send(connection_info& conn, std::string frame);
  void send(connection_info& conn, shared_data_frame frame);
  // Whether output may go to `conn` (committing the transaction before it),
  // counted as sent if so.
  bool may_send(connection_info& conn);
  void reply(connection_info& conn, std::int32_t xid, std::int64_t zxid, error err,
             std::string_view body = {});
  // `frame` was started by frame_start() and holds the encoded body.
  void reply_frame(connection_info& conn, std::int32_t xid, std::int64_t zxid, error err,
                   std::string frame);
  // A getData reply around node data it shares; `frame.head` was started by
  // frame_start() and holds the data's length.
  void reply_shared(connection_info& conn, std::int32_t xid, shared_data_frame frame);
  // The header of a reply to `conn`, its statistics updated.
  proto::reply_header reply_header(connection_info& conn, std::int32_t xid, std::int64_t zxid,
                                   error err);
  void drop(connection_info& conn);
  void reject(connection_info& conn, std::int32_t xid, std::int32_t type, std::string_view body);
  connection_info* find(connection_id c);
  // The tree as the connection's member has applied it.
  const data_tree& view(const connection_info& conn) const;
  std::vector<notification> missed_while_lagging(std::size_t m);

  server_options options_;
  output_sink& out_;
  server_clock clock_;
  data_tree tree_;
  session_table sessions_;
  watch_table watches_;
  std::map<connection_id, connection_info> connections_;
  std::map<std::int64_t, connection_id> session_connection_;
  txn_sink* log_;
  std::optional<txn> pending_;
  std::int64_t zxid_ = 0;
  std::int64_t started_ = 0;
  std::int32_t min_timeout_ = 0;
  std::int32_t max_timeout_ = 0;
  std::uint64_t packets_received_ = 0;
  std::uint64_t packets_sent_ = 0;
  latency_stats latency_;
  std::int64_t request_started_ = 0;
  int rejections_left_ = 0;
  error rejection_ = error::ok;
  std::function<void(std::string)> on_reject_;
  member_views members_;
  std::function<void(std::string)> on_member_event_;
};

}  // namespace zkpp::detail::server
