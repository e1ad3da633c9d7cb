#include "zkpp/test/probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"

namespace zkpp::test {
namespace {

using clock = std::chrono::steady_clock;
namespace proto = zkpp::detail::proto;
namespace jute = zkpp::detail::jute;

class socket_fd {
 public:
  socket_fd() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  }
  ~socket_fd() { ::close(fd_); }
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::string describe(std::uint16_t port, const std::string& what) {
  return "127.0.0.1:" + std::to_string(port) + ": " + what;
}

// Waits until the socket is readable/writable or the deadline passes.
void await_fd(int fd, short events, clock::time_point deadline, std::uint16_t port,
              const char* what) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      throw std::runtime_error(describe(port, std::string("timed out ") + what));
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return;
    if (r < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), what);
  }
}

void connect_to(const socket_fd& s, std::uint16_t port) {
  auto a = loopback(port);
  // Loopback connects complete or get refused at once; no timeout needed.
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error(describe(port, std::string("connect: ") + std::strerror(errno)));
}

void send_all(const socket_fd& s, std::string_view bytes, clock::time_point deadline,
              std::uint16_t port) {
  while (!bytes.empty()) {
    await_fd(s.get(), POLLOUT, deadline, port, "sending");
    auto n = ::send(s.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(describe(port, std::string("send: ") + std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads up to `want` bytes (all of them unless the peer closes first).
std::string receive(const socket_fd& s, std::size_t want, clock::time_point deadline,
                    std::uint16_t port, const char* what) {
  std::string out;
  char buf[4096];
  while (out.size() < want) {
    await_fd(s.get(), POLLIN, deadline, port, what);
    auto n = ::recv(s.get(), buf, std::min(sizeof buf, want - out.size()), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(describe(port, std::string("recv: ") + std::strerror(errno)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// A length-prefixed frame holding `body`.
template <class... Records>
std::string frame(const Records&... records) {
  std::string out;
  jute::writer w{out};
  w.put(std::int32_t{0});
  (w.put(records), ...);
  w.patch(0, static_cast<std::int32_t>(out.size() - 4));
  return out;
}

}  // namespace

std::uint16_t free_port() {
  socket_fd s;
  auto a = loopback(0);
  if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  socklen_t len = sizeof a;
  if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::system_error(errno, std::generic_category(), "getsockname");
  return ntohs(a.sin_port);
}

std::string four_letter_word(std::uint16_t port, std::string_view word,
                             std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  socket_fd s;
  connect_to(s, port);
  send_all(s, word, deadline, port);
  return receive(s, std::size_t(-1), deadline, port,
                 "waiting for the answer to a four-letter word");
}

std::string probe_handshake(std::uint16_t port, std::chrono::milliseconds timeout) {
  try {
    auto deadline = clock::now() + timeout;
    socket_fd s;
    connect_to(s, port);
    proto::connect_request req;
    req.time_out = 10000;
    req.passwd.assign(proto::session_password_size, '\0');
    send_all(s, frame(req, false), deadline, port);  // false: the 3.8 readOnly byte

    const char* what = "waiting for the ConnectResponse";
    auto len_bytes = receive(s, 4, deadline, port, what);
    std::int32_t len = -1;
    jute::reader lr{len_bytes};
    lr.get(len);
    if (!lr.ok()) return describe(port, "connection closed before the ConnectResponse");
    if (len <= 0 || len > proto::default_max_buffer)
      return describe(port, "bad ConnectResponse frame length " + std::to_string(len));
    auto body = receive(s, static_cast<std::size_t>(len), deadline, port, what);
    proto::connect_response resp;
    jute::reader r{body};
    r.get(resp);
    if (!r.ok()) return describe(port, "malformed ConnectResponse");
    if (resp.time_out <= 0 || resp.session_id == 0)
      return describe(port, "ConnectResponse refused the session (timeOut " +
                                std::to_string(resp.time_out) + ")");
    // Close the session so it does not linger on the server until it expires.
    send_all(
        s, frame(proto::request_header{1, static_cast<std::int32_t>(proto::opcode::close_session)}),
        deadline, port);
    receive(s, 4 + proto::reply_header_size, deadline, port, "waiting for the closeSession reply");
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace zkpp::test
