#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace zkpp {

// When a durable server forces its transaction log to disk: after each
// write; once per batch of writes it applied in one turn of its event loop;
// or never (the OS decides). Under every_write and batched, a write is on
// disk before its reply is sent.
enum class fsync_policy { every_write, batched, off };

// Settings of the reference server; the defaults are Apache ZooKeeper's
// (with the sample config's tickTime).
struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: pick a free port
  std::chrono::milliseconds tick_time{2000};
  std::chrono::milliseconds min_session_timeout{0};        // 0: 2 × tick_time
  std::chrono::milliseconds max_session_timeout{0};        // 0: 20 × tick_time
  std::int32_t max_buffer = 0xfffff;                       // jute.maxbuffer
  bool extended_types_enabled = false;                     // TTL nodes
  std::vector<std::string> four_letter_whitelist{"srvr"};  // "*": all
  std::string super_digest{};  // "user:BASE64": that digest identity passes every ACL
  std::chrono::milliseconds reap_interval{60000};  // container / TTL cleanup period
  // Durability: empty keeps everything in memory. Otherwise start() recovers
  // the tree, the last zxid and the live sessions from this directory, and
  // the server logs every transaction there and takes snapshots.
  std::string data_dir{};
  fsync_policy fsync = fsync_policy::batched;
  std::int64_t snapshot_every = 100000;  // transactions between snapshots
  // Hears each fault log line (see fault_log()) on the server's thread.
  std::function<void(const std::string&)> on_fault{};
};

struct server_endpoint {
  std::string address;
  std::uint16_t port = 0;
};

// A compact ZooKeeper-compatible server (3.8 client protocol, one node, in
// memory unless options.data_dir is set). start() binds and runs the server
// on its own thread; every member function may be called from any other
// thread.
class server {
 public:
  explicit server(server_options options = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  void start();
  void stop();

  server_endpoint endpoint() const;
  std::uint16_t port() const;
  std::string connect_string() const;  // "127.0.0.1:PORT"
  const server_options& options() const;

  // Test hooks; expiring and dropping are logged as faults (see below).
  // Expires the session now, as if its timeout had passed: ephemerals are
  // deleted, watches fire, its connection is closed. False if unknown.
  bool expire_session(std::int64_t session_id);
  // Closes every client connection abruptly; sessions live on.
  void drop_connections();
  // Closes the connection the session is attached to; false if none.
  bool drop_session_connection(std::int64_t session_id);
  // Runs the container / TTL cleanup now instead of waiting for reap_interval.
  void reap_now();
  // The last zxid the server assigned.
  std::int64_t last_zxid() const;
  // Ids of the live sessions, ascending.
  std::vector<std::int64_t> sessions() const;

  // Scriptable faults. Each one logs a line to fault_log() (and on_fault)
  // when it is set and for everything it hits.
  // Holds every reply and notification back for `d` from now (0: ends the
  // stall); requests are still read and applied, and what was held leaves
  // in order when the stall ends.
  void stall_replies(std::chrono::milliseconds d);
  // Sends every reply and notification `d` after it was produced, in order,
  // until called with 0.
  void delay_replies(std::chrono::milliseconds d);
  // While on, new connections are accepted and closed at once.
  void refuse_connections(bool on);
  // Answers the next `count` client requests (positive xid: not pings, auth,
  // handshakes or setWatches) with `code` in the reply header, without
  // applying them. `code` must be a code ZooKeeper servers send (zkpp::error
  // between system_error and throttled_op, not connection_loss); otherwise
  // std::invalid_argument. A count of 0 cancels what is left.
  void reject_next(int count, std::error_code code);
  // Closes the connection of any client that sends a frame longer than
  // `bytes`, as ZooKeeper does beyond jute.maxbuffer; 0 restores
  // options().max_buffer.
  void set_max_frame_size(std::int32_t bytes);
  // Every fault line so far, oldest first.
  std::vector<std::string> fault_log() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zkpp
