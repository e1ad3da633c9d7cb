#include "zkpp/test/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace zkpp::test {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

std::filesystem::path find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start).empty()
                                                                ? "."
                                                                : dirs.substr(start, end - start)) /
                                      name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::size_t>(in.tellg());
  auto from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string out(size - from, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  return pattern;
}

child_process::child_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                             child_stdio stdio) {
  if (argv.empty()) throw std::invalid_argument("child_process: empty argv");
  auto program = find_program(argv[0]);
  if (program.empty()) throw std::runtime_error("child_process: " + argv[0] + " not found in PATH");

  // Everything the child needs is prepared before fork: after fork in a
  // threaded program only async-signal-safe calls are allowed.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw_errno("open " + log.string());
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(log_fd);
    throw_errno("open /dev/null");
  }
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(null_fd);
    throw_errno("fork");
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    ::dup2(stdio.in >= 0 ? stdio.in : null_fd, STDIN_FILENO);
    ::dup2(stdio.out >= 0 ? stdio.out : log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(program.c_str(), args.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  // Also set the group from the parent side so that stop() can never race
  // the child's own setpgid.
  ::setpgid(pid, pid);
  pid_ = pid;
  // Not reaped yet, so the pid still names this child.
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      status_(other.status_) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    status_ = other.status_;
  }
  return *this;
}

child_process::~child_process() {
  stop();
}

bool child_process::exited(bool block) const {
  siginfo_t info{};
  int r;
  do r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
  while (r < 0 && errno == EINTR);
  return r != 0 || info.si_pid != 0;
}

bool child_process::reap(bool block) {
  if (pid_ <= 0) return true;
  // Wait without reaping first: while the leader is a zombie its pid (and so
  // the group id) cannot be reused, so killing the group cannot hit a
  // stranger, and anything the server forked dies with it.
  if (!exited(block)) return false;
  ::kill(-pid_, SIGKILL);
  int status = -1;
  pid_t w;
  do w = ::waitpid(pid_, &status, 0);
  while (w < 0 && errno == EINTR);
  status_ = w == pid_ ? status : -1;
  pid_ = -1;
  if (pidfd_ >= 0) ::close(std::exchange(pidfd_, -1));
  return true;
}

bool child_process::running() {
  return !reap(false);
}

bool child_process::wait_exit(std::chrono::steady_clock::time_point deadline) {
  using namespace std::chrono;
  while (pid_ > 0 && !exited()) {
    const auto left = ceil<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) return false;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<milliseconds::rep>(left.count(), 60'000)));
    } else {
      // No pidfd (Linux before 5.3): an exit has no event to wait on.
      std::this_thread::sleep_for(std::min(left, milliseconds{10}));
    }
  }
  return true;
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_;
  ::kill(-pid_, SIGTERM);
  if (!wait_exit(std::chrono::steady_clock::now() + grace)) return kill();
  reap(true);
  return status_;
}

int child_process::kill() {
  if (pid_ <= 0) return status_;
  ::kill(-pid_, SIGKILL);
  reap(true);
  return status_;
}

}  // namespace zkpp::test
