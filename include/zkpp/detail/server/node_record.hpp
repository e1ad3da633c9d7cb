#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "zkpp/detail/server/acl_table.hpp"

namespace zkpp::detail::server {

// What the data tree keeps of a znode besides its place in the hierarchy.
struct node_fields {
  std::string_view name;
  std::optional<std::string_view> data;
  acl_table::handle acl = 0;
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t pzxid = 0;
  std::int32_t version = 0;
  // ZooKeeper's stored cversion counts child creations only; it is both the
  // sequential suffix and, as 2c - numChildren, the visible cversion.
  std::int32_t child_creations = 0;
  std::int32_t aversion = 0;
  std::int64_t owner = 0;  // raw ephemeralOwner: session, container or TTL marker
};

// node_fields as a compact record: name length, name, czxid, mzxid - czxid,
// pzxid - czxid, version, child creations, aversion, owner, ACL, data
// length + 1 (0: no data), data; each number a zigzag varint, so a typical
// small node takes about 15 bytes beside its name and data.
std::size_t record_size(const node_fields& f);
// Where the data starts in f's record.
std::size_t record_data_offset(const node_fields& f);
// Writes f's record of record_size(f) bytes to `out`. f.name and f.data may
// point into `out` only where the record puts them.
void write_record(const node_fields& f, char* out);
node_fields read_record(const char* record);
// The size of the record at `record`.
std::size_t record_size(const char* record);

}  // namespace zkpp::detail::server
