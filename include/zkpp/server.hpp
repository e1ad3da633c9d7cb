#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace zkpp {

// The reference server's TLS client port (ZooKeeper's secureClientPort),
// served through OpenSSL next to the plain port. Files are PEM.
struct server_tls_options {
  std::uint16_t secure_port = 0;     // 0: pick a free port
  std::string cert_file{};           // the server's certificate (chain)
  std::string key_file{};            // its private key (may be the same file as cert_file)
  std::string ca_file{};             // CAs client certificates must chain to; empty: the system's
  bool require_client_cert = false;  // ssl.clientAuth=need instead of none
};
// When a durable server forces its transaction log to disk: after each
// write; once per batch of writes it applied in one turn of its event loop;
// or never (the OS decides). Under every_write and batched, a write is on
// disk before its reply is sent.
enum class fsync_policy { every_write, batched, off };

// Settings of the reference server; the defaults are Apache ZooKeeper's
// (with the sample config's tickTime).
struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;                   // 0: pick a free port
  std::optional<server_tls_options> tls{};  // set: also serve TLS on tls->secure_port
  // Members of an in-process ensemble over one replicated state, each with
  // its own client port: member i listens on port + i (every one on a free
  // port when port is 0). See stop_member() and lag_member(). The secure
  // port, if any, is member 0's.
  std::size_t members = 1;
  std::chrono::milliseconds tick_time{2000};
  std::chrono::milliseconds min_session_timeout{0};        // 0: 2 × tick_time
  std::chrono::milliseconds max_session_timeout{0};        // 0: 20 × tick_time
  std::int32_t max_buffer = 0xfffff;                       // jute.maxbuffer
  bool extended_types_enabled = false;                     // TTL nodes
  std::vector<std::string> four_letter_whitelist{"srvr"};  // "*": all
  std::string super_digest{};  // "user:BASE64": that digest identity passes every ACL
  std::chrono::milliseconds reap_interval{60000};  // container / TTL cleanup period
  // A connection without a session this long after it was accepted (no
  // ConnectRequest, or a TLS handshake that never ends) is closed, checked
  // at each tick; ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout.
  std::chrono::milliseconds sessionless_timeout{10000};
  // Durability: empty keeps everything in memory. Otherwise start() recovers
  // the tree, the last zxid and the live sessions from this directory, and
  // the server logs every transaction there and takes snapshots.
  std::string data_dir{};
  fsync_policy fsync = fsync_policy::batched;
  std::int64_t snapshot_every = 100000;  // transactions between snapshots
  // Up to how long the server's thread polls for work after it goes idle,
  // instead of sleeping at once: a shorter round trip where waking a thread
  // is slow (virtual CPUs that halt when idle), for a busier CPU. Adaptive:
  // it only polls while requests keep coming back within this window.
  // 0: never poll.
  std::chrono::microseconds idle_poll{0};
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

  // Binds and starts serving; throws when a port cannot be bound or a TLS
  // file cannot be used (naming the file).
  void start();
  void stop();

  // Member 0's address and port.
  server_endpoint endpoint() const;
  std::uint16_t port() const;
  // Every member: "127.0.0.1:PORT" for one, "127.0.0.1:P0,127.0.0.1:P1,..."
  std::string connect_string() const;
  // The TLS port and "127.0.0.1:PORT" for it; 0 and "" when TLS is off.
  std::uint16_t secure_port() const;
  std::string secure_connect_string() const;
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

  // The ensemble (server_options::members); members are numbered from 0 and
  // an index out of range throws std::out_of_range. Member 0 reports itself
  // as the leader in `srvr`, the others as followers; all share one history
  // and one session table, so a session moves between members freely.
  std::size_t members() const;
  std::uint16_t member_port(std::size_t m) const;
  std::string member_connect_string(std::size_t m) const;  // "127.0.0.1:PORT"
  // Closes member m's port and its clients' connections, as a crash of it
  // would; they reconnect to other members and keep their sessions.
  void stop_member(std::size_t m);
  // Serves member m's port again, caught up with the ensemble.
  void start_member(std::size_t m);
  // Member m stops applying the history: its reads see the state as of now
  // and its clients' watch notifications are held back, until it catches up
  // by catch_up_member(m) or when one of its clients syncs or writes (which,
  // as in ZooKeeper, goes through the leader). A client that has seen a
  // newer zxid than the member's is refused by it and tries another.
  void lag_member(std::size_t m);
  void catch_up_member(std::size_t m);
  // The last zxid member m has applied.
  std::int64_t member_zxid(std::size_t m) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zkpp
