#include "zkpp/detail/server/directory_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace zkpp::detail::server {

directory_lock::directory_lock(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto file = dir / "zkpp-server.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error("data directory " + dir.string() +
                             (err == EWOULDBLOCK
                                  ? std::string{" is in use by another server"}
                                  : ": cannot lock " + file.string() + ": " + std::strerror(err)));
  }
}

directory_lock::~directory_lock() {
  ::close(fd_);  // releases the lock
}

}  // namespace zkpp::detail::server
