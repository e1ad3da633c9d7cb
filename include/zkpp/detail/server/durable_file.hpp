#pragma once

// The POSIX file operations of a durable server: appends that can be forced
// to disk, and directory syncs so that created, renamed and removed files
// are as durable as their contents. Failures throw std::system_error naming
// the file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace zkpp::detail::server {

// A file opened for appending (created empty, or truncated).
class durable_file {
 public:
  explicit durable_file(const std::filesystem::path& path);
  ~durable_file();
  durable_file(const durable_file&) = delete;
  durable_file& operator=(const durable_file&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void append(std::string_view bytes);
  // Forces what was appended to disk.
  void sync();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

std::string read_whole_file(const std::filesystem::path& path);
// Makes the directory's entries (creations, renames, removals) durable.
void sync_directory(const std::filesystem::path& dir);
// Cuts the file to `size` bytes and forces that to disk.
void truncate_file(const std::filesystem::path& path, std::uintmax_t size);

}  // namespace zkpp::detail::server
