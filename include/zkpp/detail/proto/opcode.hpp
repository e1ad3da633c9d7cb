#pragma once

#include <cstdint>

namespace zkpp::detail::proto {

// RequestHeader.type / MultiHeader.type values (PROTOCOL.md §5).
enum class opcode : std::int32_t {
  notification = 0,
  create = 1,
  remove = 2,
  exists = 3,
  get_data = 4,
  set_data = 5,
  get_acl = 6,
  set_acl = 7,
  get_children = 8,
  sync = 9,
  ping = 11,
  get_children2 = 12,
  check = 13,
  multi = 14,
  create2 = 15,
  reconfig = 16,
  check_watches = 17,
  remove_watches = 18,
  create_container = 19,
  delete_container = 20,
  create_ttl = 21,
  multi_read = 22,
  auth = 100,
  set_watches = 101,
  sasl = 102,
  get_ephemerals = 103,
  get_all_children_number = 104,
  set_watches2 = 105,
  add_watch = 106,
  who_am_i = 107,
  create_session = -10,
  close_session = -11,
  error = -1,
};

// Special xids (PROTOCOL.md §4.1).
namespace xid {
inline constexpr std::int32_t notification = -1;
inline constexpr std::int32_t ping = -2;
inline constexpr std::int32_t auth = -4;
inline constexpr std::int32_t set_watches = -8;
}  // namespace xid

// jute.maxbuffer default; frames above it are refused by both ends.
inline constexpr std::int32_t default_max_buffer = 0xfffff;

}  // namespace zkpp::detail::proto
