#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "../recipes/recipe_fixture.hpp"
#include "zkpp/test/command.hpp"

namespace zkpp::test {

// Runs zkpp-cli against the backend under test, in a fresh path per test.
class cli_test : public recipe_test {
 protected:
  static std::vector<std::string> cli_argv(const std::vector<std::string>& args,
                                           const std::string& server = servers()) {
    std::vector<std::string> argv{ZKPP_CLI_BINARY, "--server", server};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  // stdout and stderr together; a run that does not end within the deadline fails.
  static command_result cli(const std::vector<std::string>& args,
                            const std::string& server = servers()) {
    const auto argv = cli_argv(args, server);
    auto r = run_command(argv, default_deadline);
    if (r.timed_out) throw std::runtime_error(r.describe(argv));
    return r;
  }
};

// A named pipe between the test and the shell commands it has zkpp-cli run:
// `echo line > FIFO` and `read x < FIFO` there, read_line / write_line here.
// Held open for reading and writing, so the shell's open never blocks and
// nothing written is lost.
class fifo {
 public:
  explicit fifo(std::filesystem::path path) : path_(std::move(path)) {
    if (mkfifo(path_.c_str(), 0600) != 0)
      throw std::system_error(errno, std::generic_category(), "mkfifo " + path_.string());
    fd_ = open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + path_.string());
  }
  ~fifo() { close(fd_); }
  fifo(const fifo&) = delete;
  fifo& operator=(const fifo&) = delete;

  const std::filesystem::path& path() const { return path_; }

  void write_line(const std::string& line) {
    const auto text = line + "\n";
    if (write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      throw std::system_error(errno, std::generic_category(), "write " + path_.string());
  }

  // The next line; throws naming `what` when none comes within the deadline.
  std::string read_line(const std::string& what,
                        std::chrono::milliseconds deadline = default_deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        auto line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0)
        throw std::runtime_error("timed out waiting for " + what);
      char chunk[256];
      const auto n = read(fd_, chunk, sizeof chunk);
      if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Whether a whole line is waiting right now.
  bool has_line() {
    pollfd p{fd_, POLLIN, 0};
    return buffer_.find('\n') != std::string::npos || poll(&p, 1, 0) > 0;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace zkpp::test
