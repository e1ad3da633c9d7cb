#pragma once

// A blocking loopback client that speaks raw frames, for socket-level tests.
// Every wait has a deadline and fails with what it was waiting for.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "frames.hpp"

namespace zkpp::test {

inline constexpr std::chrono::seconds wait_limit{10};

class raw_client {
 public:
  explicit raw_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~raw_client() { close(); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  void send_bytes(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void send_frame(std::string payload) { send_bytes(with_length(std::move(payload))); }

  // The payload of the next frame.
  std::string read_frame(const std::string& what) {
    const auto length = read_exact(4, what);
    jute::reader r{length};
    std::int32_t n = 0;
    r.get(n);
    return read_exact(static_cast<std::size_t>(n), what);
  }

  reply read_reply(const std::string& what) { return parse_reply(read_frame(what)); }

  // Skips notifications (returned in `events`) up to the next reply.
  reply read_reply_after_events(const std::string& what,
                                std::vector<proto::watcher_event>* events = nullptr) {
    for (;;) {
      auto r = read_reply(what);
      if (r.header.xid != proto::xid::notification) return r;
      if (events) events->push_back(decode_as<proto::watcher_event>(r.body));
    }
  }

  proto::watcher_event read_event(const std::string& what) {
    const auto r = read_reply(what);
    if (r.header.xid != proto::xid::notification)
      throw std::runtime_error("expected a notification (" + what + "), got xid " +
                               std::to_string(r.header.xid));
    return decode_as<proto::watcher_event>(r.body);
  }

  proto::connect_response handshake(std::int64_t session = 0,
                                    std::string passwd = std::string(16, '\0'),
                                    std::int32_t timeout_ms = 30000) {
    send_frame(connect_payload(session, std::move(passwd), timeout_ms));
    return decode_as<proto::connect_response>(read_frame("the ConnectResponse"));
  }

  // The raw ConnectResponse payload for resuming `s`.
  std::string read_frame_after_handshake(const proto::connect_response& s) {
    send_frame(connect_payload(s.session_id, s.passwd));
    return read_frame("the ConnectResponse");
  }

  template <class Record>
  reply call(opcode op, const Record& body, std::vector<proto::watcher_event>* events = nullptr) {
    send_frame(request(++xid_, op, body));
    return expect_xid(read_reply_after_events(describe(op), events));
  }
  reply call(opcode op) {
    send_frame(request(++xid_, op));
    return expect_xid(read_reply_after_events(describe(op)));
  }

  // Everything until the server closes the connection.
  std::string read_until_eof(const std::string& what) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    for (;;) {
      char buf[4096];
      const auto n = recv_some(buf, sizeof buf, deadline, what + " (until the server closes)");
      if (n == 0) return out;
      out.append(buf, n);
    }
  }

  // True once the server closed the connection; unread frames are discarded.
  bool closed_by_server(const std::string& what) {
    try {
      read_until_eof(what);
      return true;
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
      return false;
    }
  }

  std::int32_t next_xid() { return ++xid_; }

  // The next line of a line protocol, without its newline.
  std::string read_line(const std::string& what) {
    std::string line;
    for (auto c = read_exact(1, what); c != "\n"; c = read_exact(1, what)) line += c;
    return line;
  }

 private:
  static std::string describe(opcode op) {
    return "the reply to opcode " + std::to_string(static_cast<int>(op));
  }

  reply expect_xid(reply r) {
    EXPECT_EQ(r.header.xid, xid_) << "reply xid";
    return r;
  }

  std::size_t recv_some(char* buf, std::size_t size, std::chrono::steady_clock::time_point deadline,
                        const std::string& what) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        throw std::runtime_error("timed out after " + std::to_string(wait_limit.count()) +
                                 " s waiting for " + what);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      const auto n = ::recv(fd_, buf, size, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return 0;  // a reset counts as closed
      }
      return static_cast<std::size_t>(n);
    }
  }

  std::string read_exact(std::size_t n, const std::string& what) {
    std::string out(n, '\0');
    std::size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (got < n) {
      const auto k = recv_some(out.data() + got, n - got, deadline, what);
      if (k == 0)
        throw std::runtime_error("server closed the connection while waiting for " + what);
      got += k;
    }
    return out;
  }

  int fd_ = -1;
  std::int32_t xid_ = 0;
};

}  // namespace zkpp::test
