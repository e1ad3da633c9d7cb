#pragma once

#include <string_view>

namespace zkpp::detail::proto {

// ZooKeeper's path rules (PROTOCOL.md §16). `sequential` allows a trailing
// '/' because the server appends the sequence number.
bool is_valid_path(std::string_view path, bool sequential = false) noexcept;

}  // namespace zkpp::detail::proto
