#include "zkpp/detail/server/data_tree.hpp"

namespace zkpp::detail::server {

std::int64_t ttl_owner(std::int64_t ttl_ms) {
  return static_cast<std::int64_t>(ttl_owner_tag | static_cast<std::uint64_t>(ttl_ms));
}

bool node::is_ttl() const {
  return !is_container() && (static_cast<std::uint64_t>(owner) & ttl_owner_tag) == ttl_owner_tag;
}

std::int64_t node::ttl_ms() const {
  return is_ttl() ? static_cast<std::int64_t>(static_cast<std::uint64_t>(owner) & ~ttl_owner_tag)
                  : 0;
}

std::int64_t node::ephemeral_session() const {
  return is_container() || is_ttl() ? 0 : owner;
}

zkpp::stat node::stat() const {
  const auto n = static_cast<std::int32_t>(children.size());
  return {.czxid = czxid,
          .mzxid = mzxid,
          .ctime = ctime,
          .mtime = mtime,
          .version = version,
          .cversion = child_creations * 2 - n,
          .aversion = aversion,
          .ephemeral_owner = ephemeral_session(),
          .data_length = data ? static_cast<std::int32_t>(data->size()) : 0,
          .num_children = n,
          .pzxid = pzxid};
}

std::string_view parent_path(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos || path == "/") return {};
  return slash == 0 ? std::string_view{"/"} : path.substr(0, slash);
}

std::string_view node_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

data_tree::data_tree() {
  // The built-in nodes of a 3.8 standalone server (PROTOCOL.md §8 item 6).
  node root;
  root.data.emplace();
  root.acl = intern(acls::open_unsafe());
  root.children = {"zookeeper"};
  nodes_.emplace("/", root);
  node zookeeper = nodes_.at("/");
  zookeeper.children = {"config", "quota"};
  nodes_.emplace("/zookeeper", zookeeper);
  node quota = nodes_.at("/");
  quota.children.clear();
  nodes_.emplace("/zookeeper/quota", quota);
  node config = quota;
  config.acl = intern(acls::read_unsafe());
  config.aversion = -1;  // as a real 3.8 server reports it
  nodes_.emplace("/zookeeper/config", config);
}

std::shared_ptr<const acl_list> data_tree::intern(acl_list acl) {
  std::size_t h = acl.size();
  for (const auto& a : acl)
    for (const auto part :
         {std::hash<std::int32_t>{}(a.perms), std::hash<std::string>{}(a.id.scheme),
          std::hash<std::string>{}(a.id.id)})
      h = h * 31 + part;
  const auto [first, last] = acls_.equal_range(h);
  for (auto it = first; it != last; ++it)
    if (auto shared = it->second.lock(); shared && *shared == acl) return shared;
  if (acls_.size() >= 2 * acls_swept_size_ + 64) {
    std::erase_if(acls_, [](const auto& kv) { return kv.second.expired(); });
    acls_swept_size_ = acls_.size();
  }
  auto shared = std::make_shared<const acl_list>(std::move(acl));
  acls_.emplace(h, shared);
  return shared;
}

const node* data_tree::find(std::string_view path) const {
  if (path.empty()) path = "/";
  const auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

node& data_tree::at(const std::string& path) {
  return nodes_.find(path)->second;
}

void data_tree::save(const std::string& path) {
  if (!recording_) return;
  const auto it = nodes_.find(path);
  undo_.emplace_back(path, it == nodes_.end() ? std::nullopt : std::optional<node>{it->second});
}

void data_tree::index(const std::string& path, const node& n) {
  if (n.is_container())
    containers_.insert(path);
  else if (n.is_ttl())
    ttls_.insert(path);
  else if (n.owner != 0)
    ephemerals_[n.owner].insert(path);
}

void data_tree::unindex(const std::string& path, const node& n) {
  containers_.erase(path);
  ttls_.erase(path);
  if (const auto it = ephemerals_.find(n.owner); it != ephemerals_.end()) {
    it->second.erase(path);
    if (it->second.empty()) ephemerals_.erase(it);
  }
}

void data_tree::put(const std::string& path, node n) {
  index(path, n);
  nodes_.insert_or_assign(path, std::move(n));
}

void data_tree::erase(const std::string& path) {
  const auto it = nodes_.find(path);
  if (it == nodes_.end()) return;
  unindex(path, it->second);
  nodes_.erase(it);
}

void data_tree::create(const std::string& path, std::optional<std::string> data, acl_list acl,
                       std::int64_t owner, std::int64_t zxid, std::int64_t time) {
  const std::string parent{parent_path(path)};
  save(parent);
  save(path);
  auto& p = at(parent);
  p.children.emplace(node_name(path));
  ++p.child_creations;
  p.pzxid = zxid;
  node n;
  n.data = std::move(data);
  n.acl = intern(std::move(acl));
  n.czxid = n.mzxid = n.pzxid = zxid;
  n.ctime = n.mtime = time;
  n.owner = owner;
  put(path, std::move(n));
}

void data_tree::remove(const std::string& path, std::int64_t zxid) {
  const std::string parent{parent_path(path)};
  save(parent);
  save(path);
  auto& p = at(parent);
  p.children.erase(std::string{node_name(path)});
  // A delete never moves pzxid backwards (ZooKeeper's DataTree.deleteNode).
  if (zxid > p.pzxid) p.pzxid = zxid;
  erase(path);
}

void data_tree::set_data(const std::string& path, std::optional<std::string> data,
                         std::int64_t zxid, std::int64_t time) {
  save(path);
  auto& n = at(path);
  n.data = std::move(data);
  n.mzxid = zxid;
  n.mtime = time;
  ++n.version;
}

void data_tree::set_acl(const std::string& path, acl_list acl) {
  save(path);
  auto& n = at(path);
  n.acl = intern(std::move(acl));
  ++n.aversion;
}

void data_tree::begin_undo() {
  undo_.clear();
  recording_ = true;
}

void data_tree::rollback() {
  recording_ = false;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    erase(it->first);
    if (it->second) put(it->first, std::move(*it->second));
  }
  undo_.clear();
}

void data_tree::commit() {
  recording_ = false;
  undo_.clear();
}

std::size_t data_tree::approximate_data_size() const {
  std::size_t size = 0;
  for (const auto& [path, n] : nodes_) size += path.size() + (n.data ? n.data->size() : 0);
  return size;
}

std::int32_t data_tree::descendant_count(std::string_view path) const {
  if (path.empty() || path == "/") return static_cast<std::int32_t>(nodes_.size() - 1);
  const std::string prefix = std::string{path} + "/";
  std::int32_t count = 0;
  for (auto it = nodes_.lower_bound(prefix);
       it != nodes_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    ++count;
  return count;
}

const std::set<std::string>& data_tree::ephemerals(std::int64_t session) const {
  static const std::set<std::string> none;
  const auto it = ephemerals_.find(session);
  return it == ephemerals_.end() ? none : it->second;
}

std::size_t data_tree::ephemeral_count() const {
  std::size_t count = 0;
  for (const auto& [session, paths] : ephemerals_) count += paths.size();
  return count;
}

std::vector<std::string> data_tree::reap_candidates(std::int64_t now_wall_ms) const {
  std::vector<std::string> out;
  for (const auto& path : containers_) {
    const auto& n = nodes_.find(path)->second;
    if (n.children.empty() && n.child_creations > 0) out.push_back(path);
  }
  for (const auto& path : ttls_) {
    const auto& n = nodes_.find(path)->second;
    if (n.children.empty() && now_wall_ms - n.mtime > n.ttl_ms()) out.push_back(path);
  }
  return out;
}

}  // namespace zkpp::detail::server
