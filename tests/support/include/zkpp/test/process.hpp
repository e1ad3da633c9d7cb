#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace zkpp::test {

// Descriptors a child gets as its stdin and stdout instead of /dev/null and
// the log (-1: the default). The caller keeps and closes its own copies.
struct child_stdio {
  int in = -1;
  int out = -1;
};

// A child process for test servers. It runs in its own process group, gets
// SIGKILL when the thread that started it dies (so a crashed test leaves no
// server behind), and writes stdout and stderr to `log`.
class child_process {
 public:
  child_process() = default;
  // Starts argv[0] (searched in PATH when it has no '/'); throws on failure.
  child_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                child_stdio stdio = {});
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process();

  pid_t pid() const { return pid_; }
  // True while the child has not been reaped (polls without blocking).
  bool running();
  // Waits until the child has exited or `deadline` has passed, without
  // reaping it; true if it has exited (or there is no child).
  bool wait_exit(std::chrono::steady_clock::time_point deadline);
  // SIGTERM to the group, waits up to `grace`, then SIGKILL; always reaps.
  // Returns the wait status (or -1 if there was no child).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{10});
  // SIGKILL to the group at once and reap: a crash, for fault tests.
  int kill();

 private:
  bool reap(bool block);
  // Whether the child has exited (waiting for it if `block`), without reaping.
  bool exited(bool block = false) const;
  pid_t pid_ = -1;
  int pidfd_ = -1;  // readable once the child exits; -1 before Linux 5.3
  int status_ = -1;
};

// Resolves a program name through PATH; empty if not found.
std::filesystem::path find_program(const std::string& name);

// The last `max_bytes` of a file (for error messages); empty if unreadable.
std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes = 4096);

// A fresh directory under TMPDIR (or /tmp) named after `prefix`.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace zkpp::test
