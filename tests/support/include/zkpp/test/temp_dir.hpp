#pragma once

// scoped_temp_dir: a fresh directory under TMPDIR (or /tmp), removed with
// everything in it when the object is destroyed.

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "zkpp/test/process.hpp"

namespace zkpp::test {

class scoped_temp_dir {
 public:
  explicit scoped_temp_dir(const std::string& prefix) : path_(make_temp_dir(prefix)) {}
  ~scoped_temp_dir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  scoped_temp_dir(scoped_temp_dir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  scoped_temp_dir& operator=(scoped_temp_dir&&) = delete;
  scoped_temp_dir(const scoped_temp_dir&) = delete;
  scoped_temp_dir& operator=(const scoped_temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace zkpp::test
