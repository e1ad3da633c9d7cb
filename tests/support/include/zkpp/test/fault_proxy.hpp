#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace zkpp::test {

// A TCP proxy on 127.0.0.1 (a free port) in front of one upstream server
// (host:port, or the first server of a connect string), with faults on
// command: stall traffic, drop or cut connections, refuse new ones. Runs its
// own I/O thread; every command takes effect before it returns.
class fault_proxy {
 public:
  explicit fault_proxy(const std::string& upstream);
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  // "127.0.0.1:PORT" of the proxy.
  std::string connect_string() const;

  // Forward everything again, including what was held while stalled, and
  // read from clients again.
  void pass();
  // Hold all bytes in both directions; connections stay open and silent.
  void stall();
  // Stop reading what clients send (at most one more read completes), so
  // their writes back up and fill the socket buffers. pass() reads again.
  void stop_reading_clients();
  // Close every current connection (both sides).
  void drop();
  // Accept new connections and close them at once (true), or serve them (false).
  void refuse(bool on);
  // Forward only part of the next chunk the server sends, then close that
  // connection: the client sees a frame cut in the middle.
  void cut_next_reply_mid_frame();

  // Connections accepted so far.
  std::uint64_t accepted() const;

 private:
  class impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace zkpp::test
