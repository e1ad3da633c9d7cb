#include "zkpp/detail/server/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace zkpp::detail::server {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

int open_or_fail(const std::filesystem::path& path, int flags, const char* what) {
  int fd = -1;
  do fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) fail(what, path);
  return fd;
}

void fsync_or_fail(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail("cannot sync", path);
  }
}

}  // namespace

durable_file::durable_file(const std::filesystem::path& path)
    : path_(path),
      fd_(open_or_fail(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, "cannot create")) {}

durable_file::~durable_file() {
  ::close(fd_);
}

void durable_file::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", path_);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void durable_file::sync() {
  if (::fsync(fd_) != 0) fail("cannot sync", path_);
}

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) fail("cannot read", path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) fail("cannot read", path);
  return std::move(bytes).str();
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = open_or_fail(dir, O_RDONLY | O_DIRECTORY, "cannot open directory");
  fsync_or_fail(fd, dir);
  ::close(fd);
}

void truncate_file(const std::filesystem::path& path, std::uintmax_t size) {
  const int fd = open_or_fail(path, O_WRONLY, "cannot open");
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail("cannot truncate", path);
  }
  fsync_or_fail(fd, path);
  ::close(fd);
}

}  // namespace zkpp::detail::server
