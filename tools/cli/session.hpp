#pragma once

#include <memory>

#include "command_line.hpp"
#include "zkpp/client.hpp"

namespace zkpp::cli {

// A client connected to --server for one command.
class session {
 public:
  // Connects within the connect timeout; throws cli_failure with exit code 3
  // when no server answers in time. Requests fail with operation_timeout
  // after the same bound.
  explicit session(const global_options& global);
  // Closes the session cleanly, so its ephemeral nodes go at once.
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  client& zk() noexcept { return *zk_; }

 private:
  std::unique_ptr<client> zk_;
};

}  // namespace zkpp::cli
