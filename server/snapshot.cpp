#include "zkpp/detail/server/snapshot.hpp"

#include <stdexcept>

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/server/checksummed_frame.hpp"
#include "zkpp/detail/server/data_tree.hpp"
#include "zkpp/detail/server/durable_file.hpp"
#include "zkpp/detail/server/session_table.hpp"

namespace zkpp::detail::server {
namespace {

// Parents before children.
std::vector<snapshot_node> collect(const data_tree& tree) {
  std::vector<snapshot_node> out;
  out.reserve(tree.node_count());
  tree.for_each_node([&](std::string_view path, const node& n) {
    out.push_back({std::string{path}, n.data ? std::optional<std::string>{*n.data} : std::nullopt,
                   *n.acl, n.czxid, n.mzxid, n.ctime(), n.mtime(), n.version, n.child_creations,
                   n.aversion, n.owner, n.pzxid});
  });
  return out;
}

}  // namespace

void write_snapshot(const std::filesystem::path& path, std::int64_t last_zxid,
                    const data_tree& tree, const session_table& sessions) {
  snapshot_record snapshot{last_zxid, collect(tree), {}};
  for (const auto& [id, s] : sessions.all())
    snapshot.sessions.push_back({id, s.timeout_ms, s.password});
  std::string bytes{snapshot_magic};
  append_checksummed_frame(bytes, jute::encode(snapshot));
  auto temporary = path;
  temporary += ".tmp";
  {
    durable_file file{temporary};
    file.append(bytes);
    file.sync();
  }
  std::filesystem::rename(temporary, path);
  sync_directory(path.parent_path());
}

std::optional<snapshot_record> read_snapshot(const std::filesystem::path& path) {
  const auto bytes = read_whole_file(path);
  if (!std::string_view{bytes}.starts_with(snapshot_magic)) return std::nullopt;
  std::size_t pos = snapshot_magic.size();
  const auto payload = read_checksummed_frame(bytes, pos);
  snapshot_record snapshot;
  if (!payload || pos != bytes.size() || !jute::decode(*payload, snapshot)) return std::nullopt;
  return snapshot;
}

void load_snapshot(const snapshot_record& snapshot, data_tree& tree, session_table& sessions,
                   std::int64_t steady_now) {
  for (const auto& s : snapshot.nodes) {
    if (s.path.empty() || (s.path != "/" && !tree.find(parent_path(s.path))))
      throw std::runtime_error("snapshot node " + s.path + " has no parent before it");
    node n;
    n.data = s.data;
    n.acl = &s.acl;
    n.czxid = s.czxid;
    n.mzxid = s.mzxid;
    n.pzxid = s.pzxid;
    n.version = s.version;
    n.child_creations = s.child_creations;
    n.aversion = s.aversion;
    n.owner = s.owner;
    tree.put(s.path, n, s.ctime, s.mtime);
  }
  for (const auto& s : snapshot.sessions)
    sessions.restore(s.id, s.password, s.timeout_ms, steady_now);
}

}  // namespace zkpp::detail::server
