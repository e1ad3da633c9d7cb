#pragma once

#include <filesystem>

namespace zkpp::detail::server {

// An exclusive lock on a data directory (flock on DIR/zkpp-server.lock),
// held while a server uses it: two servers appending to one transaction log
// would corrupt it. The kernel releases it when the process dies, so a crash
// leaves nothing to clean up.
class directory_lock {
 public:
  // Creates the directory if needed; throws std::runtime_error naming it if
  // another server (in this process or another) holds it.
  explicit directory_lock(const std::filesystem::path& dir);
  ~directory_lock();
  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace zkpp::detail::server
