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

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

// Parents before children, from the public view of the tree (a stack, not
// recursion: a path may be thousands of levels deep).
std::vector<snapshot_node> collect(const data_tree& tree) {
  std::vector<snapshot_node> out;
  out.reserve(tree.node_count());
  std::vector<std::string> pending{"/"};
  while (!pending.empty()) {
    auto path = std::move(pending.back());
    pending.pop_back();
    const node& n = *tree.find(path);
    for (const auto& name : n.children) pending.push_back(child_path(path, name));
    out.push_back({std::move(path), n.data, *n.acl, n.czxid, n.mzxid, n.ctime, n.mtime, n.version,
                   n.child_creations, n.aversion, n.owner, n.pzxid});
  }
  return out;
}

// data_tree's mutators each move a stat on (create bumps the parent's
// cversion, set_data the version, ...); the stored stat is written back in
// place once every node is there.
void restore_stat(const data_tree& tree, const snapshot_node& s) {
  auto& n = const_cast<node&>(*tree.find(s.path));
  n.czxid = s.czxid;
  n.mzxid = s.mzxid;
  n.ctime = s.ctime;
  n.mtime = s.mtime;
  n.version = s.version;
  n.child_creations = s.child_creations;
  n.aversion = s.aversion;
  n.pzxid = s.pzxid;
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
    if (tree.find(s.path)) {
      tree.set_data(s.path, s.data, s.mzxid, s.mtime);
      tree.set_acl(s.path, s.acl);
      continue;
    }
    if (s.path.empty() || !tree.find(parent_path(s.path)))
      throw std::runtime_error("snapshot node " + s.path + " has no parent before it");
    tree.create(s.path, s.data, s.acl, s.owner, s.czxid, s.ctime);
  }
  for (const auto& s : snapshot.nodes) restore_stat(tree, s);
  for (const auto& s : snapshot.sessions)
    sessions.restore(s.id, s.password, s.timeout_ms, steady_now);
}

}  // namespace zkpp::detail::server
