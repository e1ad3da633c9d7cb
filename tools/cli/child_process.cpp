#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <system_error>

#include "failure.hpp"

extern char** environ;

namespace zkpp::cli {

namespace {

constexpr std::array forwarded_signals{SIGINT, SIGTERM, SIGHUP};

// The pipe the signal handler writes to while a command runs.
std::atomic<int> signal_pipe{-1};
std::atomic<int> last_signal{0};

void on_signal(int sig) {
  const int saved = errno;
  last_signal = sig;
  const char byte = 's';
  if (const int fd = signal_pipe; fd >= 0) [[maybe_unused]]
    auto n = write(fd, &byte, 1);
  errno = saved;
}

// Installs on_signal for the forwarded signals; restores the old handlers when destroyed.
class signal_forwarding {
 public:
  explicit signal_forwarding(int fd) {
    signal_pipe = fd;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < forwarded_signals.size(); ++i)
      sigaction(forwarded_signals[i], &sa, &old_[i]);
  }
  ~signal_forwarding() {
    for (std::size_t i = 0; i < forwarded_signals.size(); ++i)
      sigaction(forwarded_signals[i], &old_[i], nullptr);
    signal_pipe = -1;
  }
  signal_forwarding(const signal_forwarding&) = delete;
  signal_forwarding& operator=(const signal_forwarding&) = delete;

 private:
  std::array<struct sigaction, forwarded_signals.size()> old_{};
};

int shell_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

// Starts argv with an empty signal mask and only descriptors 0-2 open.
pid_t spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addclosefrom_np(&files, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &files, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&files);
  if (rc != 0) {
    std::cerr << "cannot run " << argv[0] << ": " << std::strerror(rc) << std::endl;
    return -1;
  }
  return pid;
}

}  // namespace

supervised_command::supervised_command() {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
}

supervised_command::~supervised_command() {
  close(wake_[0]);
  close(wake_[1]);
}

void supervised_command::stop(const std::string& reason) {
  {
    std::lock_guard lock{mutex_};
    // Ownership ending after CMD is done (as when we release it) stops nothing.
    if (finished_ || reason_) return;
    reason_ = reason;
  }
  const char byte = 'r';
  [[maybe_unused]] auto n = write(wake_[1], &byte, 1);
}

std::optional<std::string> supervised_command::stop_reason() const {
  std::lock_guard lock{mutex_};
  return reason_;
}

int supervised_command::run(const std::vector<std::string>& argv) {
  signal_forwarding forwarding{wake_[1]};
  const pid_t pid = spawn(argv);
  if (pid < 0) {
    std::lock_guard lock{mutex_};
    finished_ = true;
    return 127;
  }
  // Only this thread signals and reaps the child, so its pid cannot be
  // reused meanwhile. Without pidfds (Linux < 5.3) we look every 50 ms.
  // (glibc 2.36 declares pidfd_open without C linkage for C++, hence the raw syscall.)
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> kill_at;
  bool killed = false;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      if (pidfd >= 0) close(pidfd);
      std::lock_guard lock{mutex_};
      finished_ = true;
      return shell_status(status);
    }
    int timeout_ms = pidfd >= 0 ? -1 : 50;
    if (kill_at && !killed) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*kill_at - clock::now());
      timeout_ms = static_cast<int>(
          std::clamp<std::int64_t>(left.count(), 0, timeout_ms < 0 ? INT32_MAX : timeout_ms));
    }
    std::array<pollfd, 2> fds{{{wake_[0], POLLIN, 0}, {pidfd, POLLIN, 0}}};
    poll(fds.data(), pidfd >= 0 ? 2 : 1, timeout_ms);
    if (fds[0].revents & POLLIN) {
      std::array<char, 64> drained;
      while (read(wake_[0], drained.data(), drained.size()) > 0) {
      }
      if (const int sig = last_signal.exchange(0); sig != 0) kill(pid, sig);
      if (!kill_at && stop_reason()) {
        kill(pid, SIGTERM);
        kill_at = clock::now() + grace;
      }
    }
    if (kill_at && !killed && clock::now() >= *kill_at) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
}

int supervised_command::outcome(int status, const std::string& path) const {
  if (const auto reason = stop_reason())
    throw cli_failure(exit_code::zookeeper_error, *reason + ": " + path);
  return status;
}

}  // namespace zkpp::cli
