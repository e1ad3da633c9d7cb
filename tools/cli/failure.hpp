#pragma once

// How zkpp-cli fails: exit codes, and the exceptions main() turns into them.

#include <stdexcept>
#include <string>
#include <system_error>

namespace zkpp::cli {

namespace exit_code {
inline constexpr int success = 0;
inline constexpr int zookeeper_error = 1;
inline constexpr int usage = 2;
inline constexpr int cannot_connect = 3;
inline constexpr int not_acquired = 4;
}  // namespace exit_code

// A failed ZooKeeper operation on `path`: "no node: /x", exit code 1.
class zk_failure : public std::runtime_error {
 public:
  zk_failure(std::error_code code, std::string path);
  std::error_code code() const noexcept { return code_; }
  const std::string& path() const noexcept { return path_; }

 private:
  std::error_code code_;
  std::string path_;
};

// A failure with its own message and exit code (cannot connect, not acquired...).
class cli_failure : public std::runtime_error {
 public:
  cli_failure(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

// Throws zk_failure when `ec` is set.
void check(std::error_code ec, const std::string& path);

}  // namespace zkpp::cli
