#pragma once

// What `lock` and `elect` share: acquire ownership of PATH (within --timeout
// when given), run CMD while owning it, then release.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "child_process.hpp"
#include "command_line.hpp"

namespace zkpp::cli {

struct ownership {
  std::string name;  // "lock", "leadership": for messages
  // Waits for ownership, at most `timeout` when given; false when not in time.
  // Throws std::system_error on a ZooKeeper failure.
  std::function<bool(std::optional<std::chrono::milliseconds> timeout)> acquire;
  std::function<void()> release;
};

// The command's --timeout, if given (parsed before connecting: a usage error wins).
std::optional<std::chrono::milliseconds> ownership_timeout(const arguments& args);

// zkpp-cli's exit code: CMD's status; 4 (cli_failure) when not acquired in
// time; 1 (zk_failure, cli_failure) on a ZooKeeper error or when ownership
// ended while CMD ran (`command` must have been told through stop()).
int run_while_owned(const arguments& args, std::optional<std::chrono::milliseconds> timeout,
                    const ownership& owned, supervised_command& command);

}  // namespace zkpp::cli
