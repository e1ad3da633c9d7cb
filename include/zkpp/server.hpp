#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace zkpp {

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
};

struct server_endpoint {
  std::string address;
  std::uint16_t port = 0;
};

// A compact ZooKeeper-compatible server (3.8 client protocol, one node, in
// memory). start() binds and runs the server on its own thread; every
// member function may be called from any other thread.
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

  // Test hooks.
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

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zkpp
