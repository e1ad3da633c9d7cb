#pragma once

// Reading zkpp::server's fault log in tests.

#include <cstdint>
#include <cstdio>
#include <string>

#include "../integration/waiting.hpp"

namespace zkpp::test {

// "0x1f": a session id as fault log lines print it.
inline std::string session_hex(std::int64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(id));
  return buf;
}

// The next line of `faults` (fed by server_options::on_fault) that contains
// `part`, skipping the others; fails the test after the default deadline.
inline std::string next_fault_line(const recorder<std::string>& faults, const std::string& part) {
  return faults.next_matching(
      [&](const std::string& line) { return line.find(part) != std::string::npos; },
      "a fault log line containing '" + part + "'");
}

}  // namespace zkpp::test
