#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace zkpp::detail::server {

// Lower-case hex without "0x", as ZooKeeper prints session ids and zxids.
inline std::string hex(std::int64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<std::uint64_t>(v));
  return buf;
}

}  // namespace zkpp::detail::server
