#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zkpp::recipes::detail {

// A random (version 4) UUID in its 36-character text form.
std::string random_uuid();

// Curator's "protected" name prefix: "_c_<uuid36>-<node_name>" (Curator's
// node names: "lock-", "latch-", "__READ__", "lease-"...); the server appends
// the 10-digit sequence number.
std::string protected_prefix(std::string_view node_name);

// The 10-digit sequence suffix of a sequential node's name, or nullopt.
std::optional<std::int64_t> sequence_of(std::string_view name);

// The contenders among `children` (names ending in a 10-digit sequence,
// whatever their prefix: Curator's "-lock-", kazoo's "__lock__"), ordered by
// that sequence.
std::vector<std::string> order_by_sequence(const std::vector<std::string>& children);

// The last component of a path.
std::string_view node_name(std::string_view path);

}  // namespace zkpp::recipes::detail
