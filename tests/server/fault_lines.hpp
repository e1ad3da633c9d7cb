#pragma once

// Session ids as zkpp::server's fault log lines print them.

#include <cstdint>
#include <cstdio>
#include <string>

namespace zkpp::test {

// "0x1f": a session id as fault log lines print it.
inline std::string session_hex(std::int64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(id));
  return buf;
}

}  // namespace zkpp::test
