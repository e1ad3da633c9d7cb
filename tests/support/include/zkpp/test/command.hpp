#pragma once

// run_command: runs a short-lived helper program (openssl, ...) as a child
// process with a deadline and returns its exit status and combined output.
// The child gets /dev/null as stdin, runs in its own process group and dies
// with the calling thread (see child_process).

#include <chrono>
#include <string>
#include <vector>

namespace zkpp::test {

struct command_result {
  // The exit code when the program exited normally; -1 when it was killed
  // by a signal or timed out.
  int exit_code = -1;
  bool timed_out = false;
  // stdout and stderr, interleaved as written.
  std::string output{};

  bool ok() const { return !timed_out && exit_code == 0; }
  // "openssl ... exited with 1: <output>" (for failure messages).
  std::string describe(const std::vector<std::string>& argv) const;
};

// Runs argv (argv[0] is searched in PATH) until it exits or `timeout`
// passes, in which case the process group is killed and timed_out is set.
// Throws std::runtime_error when the program cannot be started.
command_result run_command(const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout = std::chrono::seconds{30});

// The argv joined by spaces (for messages; no quoting).
std::string join_command(const std::vector<std::string>& argv);

}  // namespace zkpp::test
