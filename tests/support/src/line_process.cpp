#include "zkpp/test/line_process.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace zkpp::test {

line_process::line_process(const std::vector<std::string>& argv, std::filesystem::path log)
    : log_(std::move(log)) {
  // A socket pair rather than two pipes: one descriptor each way, and
  // send(MSG_NOSIGNAL) reports a dead child instead of raising SIGPIPE.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  fd_ = fds[0];
  try {
    child_ = child_process(argv, log_, {.in = fds[1], .out = fds[1]});
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[1]);
}

line_process::~line_process() {
  close(std::chrono::seconds{5});
  child_.stop();
  if (fd_ >= 0) ::close(fd_);
}

void line_process::send(const std::string& line) {
  const std::string data = line + "\n";
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("sending \"" + line + "\": " + std::generic_category().message(errno));
    done += static_cast<std::size_t>(n);
  }
}

void line_process::fill(std::chrono::steady_clock::time_point deadline) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
  if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  if (ready <= 0) return;
  char buffer[4096];
  const auto n = ::read(fd_, buffer, sizeof buffer);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    eof_ = true;
    return;
  }
  partial_.append(buffer, static_cast<std::size_t>(n));
  for (auto end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n')) {
    lines_.push_back(partial_.substr(0, end));
    seen_.push_back(lines_.back());
    partial_.erase(0, end + 1);
  }
}

std::string line_process::next_matching(const std::function<bool(const std::string&)>& match,
                                        const std::string& what,
                                        std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::size_t checked = 0;
  for (;;) {
    for (; checked < lines_.size(); ++checked) {
      const auto& line = lines_[checked];
      if (!failure_prefix_.empty() && line.starts_with(failure_prefix_))
        fail("\"" + line + "\" while waiting for " + what);
      if (match(line)) {
        std::string found = std::move(lines_[checked]);
        lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(checked));
        return found;
      }
    }
    if (eof_) fail("end of output while waiting for " + what);
    if (std::chrono::steady_clock::now() >= until)
      fail("timed out after " + std::to_string(deadline.count()) + " ms waiting for " + what);
    fill(until);
  }
}

std::string line_process::expect_one_of(const std::vector<std::string>& lines,
                                        const std::string& what,
                                        std::chrono::milliseconds deadline) {
  return next_matching(
      [&](const std::string& line) { return std::ranges::find(lines, line) != lines.end(); }, what,
      deadline);
}

std::string line_process::expect_prefix(const std::string& prefix, const std::string& what,
                                        std::chrono::milliseconds deadline) {
  return next_matching([&](const std::string& line) { return line.starts_with(prefix); }, what,
                       deadline)
      .substr(prefix.size());
}

bool line_process::close(std::chrono::milliseconds deadline) {
  if (fd_ < 0) return true;
  ::shutdown(fd_, SHUT_WR);
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!eof_ && std::chrono::steady_clock::now() < until) fill(until);
  return eof_;
}

void line_process::fail(const std::string& why) const {
  std::string message = why + "\nlines from the child:";
  for (const auto& line : seen_) message += "\n  " + line;
  message += "\nits log (" + log_.string() + "):\n" + file_tail(log_);
  throw std::runtime_error(message);
}

}  // namespace zkpp::test
