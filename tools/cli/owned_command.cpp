#include "owned_command.hpp"

#include <system_error>

#include "failure.hpp"

namespace zkpp::cli {

std::optional<std::chrono::milliseconds> ownership_timeout(const arguments& args) {
  const auto t = args.value("--timeout");
  return t ? std::optional{parse_seconds(*t, "--timeout")} : std::nullopt;
}

int run_while_owned(const arguments& args, std::optional<std::chrono::milliseconds> timeout,
                    const ownership& owned, supervised_command& command) {
  const auto& path = args.positional[0];
  try {
    if (!owned.acquire(timeout))
      throw cli_failure(exit_code::not_acquired, owned.name + " not acquired within " +
                                                     args.value("--timeout").value_or("") +
                                                     " s: " + path);
  } catch (const std::system_error& e) {
    throw zk_failure(e.code(), path);
  }
  const int status = command.run(args.program);
  owned.release();
  return command.outcome(status, path);
}

}  // namespace zkpp::cli
