#pragma once

// A snapshot file: "ZKPPSNP1", then one checksummed frame holding the
// jute-encoded snapshot_record: every node (parents before children) with
// its stat, data and ACL, every session, and the last zxid they include.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/server/txn_record.hpp"

namespace zkpp::detail::server {

inline constexpr std::string_view snapshot_magic = "ZKPPSNP1";

struct snapshot_node {
  std::string path;
  std::optional<std::string> data;
  acl_list acl;
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t ctime = 0;
  std::int64_t mtime = 0;
  std::int32_t version = 0;
  std::int32_t child_creations = 0;
  std::int32_t aversion = 0;
  std::int64_t owner = 0;
  std::int64_t pzxid = 0;
  static constexpr auto fields() {
    using s = snapshot_node;
    return std::tuple{field{"path", &s::path},
                      field{"data", &s::data},
                      field{"acl", &s::acl},
                      field{"czxid", &s::czxid},
                      field{"mzxid", &s::mzxid},
                      field{"ctime", &s::ctime},
                      field{"mtime", &s::mtime},
                      field{"version", &s::version},
                      field{"cversion", &s::child_creations},
                      field{"aversion", &s::aversion},
                      field{"owner", &s::owner},
                      field{"pzxid", &s::pzxid}};
  }
};

struct snapshot_record {
  std::int64_t last_zxid = 0;
  std::vector<snapshot_node> nodes;
  std::vector<session_record> sessions;
  static constexpr auto fields() {
    return std::tuple{field{"zxid", &snapshot_record::last_zxid},
                      field{"nodes", &snapshot_record::nodes},
                      field{"sessions", &snapshot_record::sessions}};
  }
};

// Writes the state as of `last_zxid` to `path` atomically: a temporary file,
// synced, renamed over `path`, and the directory synced.
void write_snapshot(const std::filesystem::path& path, std::int64_t last_zxid,
                    const data_tree& tree, const session_table& sessions);

// The snapshot in `path`; nullopt if the file is not an intact snapshot.
std::optional<snapshot_record> read_snapshot(const std::filesystem::path& path);

// Puts the snapshot's nodes into a fresh tree (which already holds the
// built-in nodes) and its sessions into a fresh table, their timeouts
// counting from `steady_now`. Throws std::runtime_error if the nodes do not
// form a tree.
void load_snapshot(const snapshot_record& snapshot, data_tree& tree, session_table& sessions,
                   std::int64_t steady_now);

}  // namespace zkpp::detail::server
