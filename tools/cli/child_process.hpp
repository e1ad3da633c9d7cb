#pragma once

// Runs the CMD of `lock` and `elect` and stops it when ownership ends.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace zkpp::cli {

class supervised_command {
 public:
  // How long CMD has between SIGTERM and SIGKILL: short, as the lock or
  // leadership it relied on may pass to someone else within seconds.
  static constexpr std::chrono::seconds grace{2};

  supervised_command();
  ~supervised_command();
  supervised_command(const supervised_command&) = delete;
  supervised_command& operator=(const supervised_command&) = delete;

  // Asks the command to stop (SIGTERM, then SIGKILL after `grace`). Callable
  // from any thread, also before run(): then CMD is stopped as it starts.
  void stop(const std::string& reason);
  // Why stop() was called first, if it was.
  std::optional<std::string> stop_reason() const;

  // Runs argv (argv[0] searched in PATH) with our stdin, stdout and stderr
  // until it exits; returns its exit code, 128 + the signal when a signal
  // killed it, or 127 when it cannot be started. SIGINT, SIGTERM and SIGHUP
  // sent to zkpp-cli meanwhile are passed on to CMD.
  int run(const std::vector<std::string>& argv);

  // zkpp-cli's exit code after run() returned `status`: CMD's own, unless
  // CMD was stopped because ownership of `path` ended (cli_failure, exit 1).
  int outcome(int status, const std::string& path) const;

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> reason_;
  bool finished_ = false;
  int wake_[2] = {-1, -1};  // self-pipe: stop() and signal handlers wake run()
};

}  // namespace zkpp::cli
