#pragma once

// zkpp-server (the binary) as a child process, found through the lines it
// prints; stopped with SIGTERM on destruction, which must end it cleanly.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../integration/waiting.hpp"
#include "zkpp/test/line_process.hpp"

namespace zkpp::test {

class server_program {
 public:
  // Runs zkpp-server --port 0 `flags...` and waits for its client address.
  explicit server_program(const std::vector<std::string>& flags)
      : dir_(make_temp_dir("zkpp-server-program")) {
    std::vector<std::string> argv{ZKPP_SERVER_BINARY, "--port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    process_ = std::make_unique<line_process>(argv, log());
    connect_string_ = expect_line("zkpp-server listening on ", "the client address");
  }

  ~server_program() {
    const int status = process_->stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "zkpp-server's wait status after SIGTERM: " << status << "\n"
        << file_tail(log());
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  server_program(const server_program&) = delete;
  server_program& operator=(const server_program&) = delete;

  const std::string& connect_string() const { return connect_string_; }

  // The rest of the next printed line that starts with `prefix`.
  std::string expect_line(const std::string& prefix, const std::string& what) {
    return process_->expect_prefix(prefix, what, default_deadline);
  }

 private:
  std::filesystem::path log() const { return dir_ / "zkpp-server.log"; }

  std::filesystem::path dir_;
  std::unique_ptr<line_process> process_;
  std::string connect_string_;
};

}  // namespace zkpp::test
