#pragma once

#include <string>
#include <string_view>

#include "zkpp/server.hpp"

namespace zkpp::detail::server {

// One line of zkpp-server's control protocol, run against `srv`:
//   expire SESSION_HEX | drop all | drop SESSION_HEX | stall MS | delay MS |
//   refuse on|off | reject K CODE_NAME | max-frame BYTES | sessions | log |
//   stop-member M | start-member M | lag M | catch-up M
// Returns the answer without its final newline: "ok[ ...]" or
// "error MESSAGE"; `log` answers "ok N" and then the N lines of the log.
std::string run_control_command(zkpp::server& srv, std::string_view line);

}  // namespace zkpp::detail::server
