#include "zkpp/detail/server/data_tree.hpp"

#include <algorithm>

namespace zkpp::detail::server {

std::int64_t ttl_owner(std::int64_t ttl_ms) {
  return static_cast<std::int64_t>(ttl_owner_tag | static_cast<std::uint64_t>(ttl_ms));
}

bool is_ttl_owner(std::int64_t owner) {
  return owner != container_owner &&
         (static_cast<std::uint64_t>(owner) & ttl_owner_tag) == ttl_owner_tag;
}

std::int64_t node::ttl_ms() const {
  return is_ttl() ? static_cast<std::int64_t>(static_cast<std::uint64_t>(owner) & ~ttl_owner_tag)
                  : 0;
}

std::int64_t node::ephemeral_session() const {
  return is_container() || is_ttl() ? 0 : owner;
}

std::int64_t node::ctime() const {
  return tree_->times_.time_of(czxid);
}

std::int64_t node::mtime() const {
  return tree_->times_.time_of(mzxid);
}

std::shared_ptr<const char[]> node::data_owner() const {
  return tree_->records_.share(tree_->slots_[number_].record);
}

std::vector<std::string> node::children() const {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(num_children));
  for (auto c = tree_->slots_[number_].first_child; c != data_tree::none;
       c = tree_->slots_[c].next_sibling)
    names.emplace_back(tree_->key_of(c).second);
  std::sort(names.begin(), names.end());
  return names;
}

zkpp::stat node::stat() const {
  return {.czxid = czxid,
          .mzxid = mzxid,
          .ctime = ctime(),
          .mtime = mtime(),
          .version = version,
          .cversion = child_creations * 2 - num_children,
          .aversion = aversion,
          .ephemeral_owner = ephemeral_session(),
          .data_length = data ? static_cast<std::int32_t>(data->size()) : 0,
          .num_children = num_children,
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
  node_fields f;
  f.data.emplace();
  f.acl = acls_.intern(acls::open_unsafe());
  add_node(none, f);
  f.name = "zookeeper";
  acls_.retain(f.acl);
  const auto zookeeper = add_node(root, f);
  f.name = "quota";
  acls_.retain(f.acl);
  add_node(zookeeper, f);
  f.name = "config";
  f.acl = acls_.intern(acls::read_unsafe());
  f.aversion = -1;  // as a real 3.8 server reports it
  add_node(zookeeper, f);
}

std::pair<std::uint32_t, std::string_view> data_tree::key_of(std::uint32_t n) const {
  return {slots_[n].parent, fields(n).name};
}

node_fields data_tree::fields(std::uint32_t n) const {
  return read_record(records_.bytes(slots_[n].record));
}

node data_tree::view(std::uint32_t n) const {
  const auto f = fields(n);
  node v;
  v.name = f.name;
  v.data = f.data;
  v.acl = &acls_.get(f.acl);
  v.czxid = f.czxid;
  v.mzxid = f.mzxid;
  v.pzxid = f.pzxid;
  v.version = f.version;
  v.child_creations = f.child_creations;
  v.aversion = f.aversion;
  v.num_children = static_cast<std::int32_t>(slots_[n].num_children);
  v.owner = f.owner;
  v.tree_ = this;
  v.number_ = n;
  return v;
}

std::uint32_t data_tree::number_of(std::string_view path) const {
  if (path.empty() || path == "/") return root;
  if (path.front() != '/') return none;
  const auto key = [this](std::uint32_t n) { return key_of(n); };
  std::uint32_t at = root;
  for (std::size_t from = 1;;) {
    const auto slash = path.find('/', from);
    const auto name = path.substr(from, slash == std::string_view::npos ? slash : slash - from);
    if (name.empty()) return none;
    at = names_.find(at, name, key);
    if (at == none || slash == std::string_view::npos) return at;
    from = slash + 1;
  }
}

std::optional<node> data_tree::find(std::string_view path) const {
  const auto n = number_of(path);
  if (n == none) return std::nullopt;
  return view(n);
}

std::string data_tree::path_of(std::uint32_t n) const {
  if (n == root) return "/";
  std::vector<std::string_view> names;
  for (; n != root; n = slots_[n].parent) names.push_back(key_of(n).second);
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    path += '/';
    path += *it;
  }
  return path;
}

void data_tree::store(std::uint32_t n, const node_fields& f) {
  auto& s = slots_[n];
  const auto size = record_size(f);
  if (s.record == 0) {
    s.record = records_.allocate(size);
    write_record(f, records_.bytes(s.record));
    return;
  }
  char* old = records_.bytes(s.record);
  const auto old_size = record_size(old);
  // Data that is already in the record may stay only where it is.
  const auto at = reinterpret_cast<std::uintptr_t>(f.data ? f.data->data() : nullptr);
  const auto begin = reinterpret_cast<std::uintptr_t>(old);
  const bool data_inside = at >= begin && at < begin + old_size;
  // A block a reply still shares keeps its bytes: the node gets a new one.
  if (blob_arena::same_block_size(old_size, size) && !records_.shared(s.record) &&
      (!data_inside || at == begin + record_data_offset(f))) {
    write_record(f, old);
    return;
  }
  const auto fresh = records_.allocate(size);
  write_record(f, records_.bytes(fresh));
  records_.free(s.record, old_size);
  s.record = fresh;
}

std::uint32_t data_tree::add_node(std::uint32_t parent, const node_fields& f) {
  std::uint32_t n = free_slots_;
  if (n == none) {
    n = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    free_slots_ = slots_[n].next_sibling;
  }
  slots_[n] = {.parent = parent};
  store(n, f);
  if (parent != none) {
    auto& p = slots_[parent];
    slots_[n].next_sibling = p.first_child;
    if (p.first_child != none) slots_[p.first_child].prev_sibling = n;
    p.first_child = n;
    ++p.num_children;
    names_.insert(n, [this](std::uint32_t m) { return key_of(m); });
  }
  track(n, f.owner);
  ++count_;
  return n;
}

void data_tree::drop_node(std::uint32_t n) {
  const auto f = fields(n);
  untrack(n, f.owner);
  names_.erase(n, [this](std::uint32_t m) { return key_of(m); });
  auto& s = slots_[n];
  auto& p = slots_[s.parent];
  if (s.prev_sibling == none)
    p.first_child = s.next_sibling;
  else
    slots_[s.prev_sibling].next_sibling = s.next_sibling;
  if (s.next_sibling != none) slots_[s.next_sibling].prev_sibling = s.prev_sibling;
  --p.num_children;
  acls_.release(f.acl);
  records_.free(s.record, record_size(f));
  s = {.next_sibling = free_slots_};
  free_slots_ = n;
  --count_;
}

void data_tree::track(std::uint32_t n, std::int64_t owner) {
  if (owner == container_owner)
    containers_.insert(n);
  else if (is_ttl_owner(owner))
    ttls_.insert(n);
  else if (owner != 0)
    ephemerals_[owner].insert(n);
}

void data_tree::untrack(std::uint32_t n, std::int64_t owner) {
  containers_.erase(n);
  ttls_.erase(n);
  if (const auto it = ephemerals_.find(owner); it != ephemerals_.end()) {
    it->second.erase(n);
    if (it->second.empty()) ephemerals_.erase(it);
  }
}

void data_tree::put(std::string_view path, const node& n, std::int64_t ctime, std::int64_t mtime) {
  times_.record(n.czxid, ctime);
  times_.record(n.mzxid, mtime);
  const node_fields f{.name = node_name(path),
                      .data = n.data,
                      .acl = acls_.intern(*n.acl),
                      .czxid = n.czxid,
                      .mzxid = n.mzxid,
                      .pzxid = n.pzxid,
                      .version = n.version,
                      .child_creations = n.child_creations,
                      .aversion = n.aversion,
                      .owner = n.owner};
  if (slots_.empty()) {  // the root of an empty tree
    add_node(none, f);
    return;
  }
  const auto at = number_of(path);
  if (at == none) {
    add_node(number_of(parent_path(path)), f);
    return;
  }
  const auto old = fields(at);
  untrack(at, old.owner);
  store(at, f);
  track(at, f.owner);
  acls_.release(old.acl);
}

data_tree data_tree::clone() const {
  data_tree copy{empty_tag{}};
  for_each_node(
      [&](std::string_view path, const node& n) { copy.put(path, n, n.ctime(), n.mtime()); });
  return copy;
}

void data_tree::create(const std::string& path, std::optional<std::string> data, acl_list acl,
                       std::int64_t owner, std::int64_t zxid, std::int64_t time) {
  const auto parent_at = parent_path(path);
  save(parent_at);
  save(path);
  times_.record(zxid, time);
  const auto parent = number_of(parent_at);
  add_node(parent, {.name = node_name(path),
                    .data = data ? std::optional<std::string_view>{*data} : std::nullopt,
                    .acl = acls_.intern(acl),
                    .czxid = zxid,
                    .mzxid = zxid,
                    .pzxid = zxid,
                    .owner = owner});
  auto p = fields(parent);
  ++p.child_creations;
  p.pzxid = zxid;
  store(parent, p);
  compact_times();
}

void data_tree::remove(const std::string& path, std::int64_t zxid) {
  const auto parent_at = parent_path(path);
  save(parent_at);
  save(path);
  if (const auto n = number_of(path); n != none) drop_node(n);
  const auto parent = number_of(parent_at);
  // A delete never moves pzxid backwards (ZooKeeper's DataTree.deleteNode).
  if (auto p = fields(parent); zxid > p.pzxid) {
    p.pzxid = zxid;
    store(parent, p);
  }
}

void data_tree::set_data(const std::string& path, std::optional<std::string> data,
                         std::int64_t zxid, std::int64_t time) {
  save(path);
  times_.record(zxid, time);
  const auto n = number_of(path);
  auto f = fields(n);
  f.data = data ? std::optional<std::string_view>{*data} : std::nullopt;
  f.mzxid = zxid;
  ++f.version;
  store(n, f);
  compact_times();
}

void data_tree::set_acl(const std::string& path, acl_list acl) {
  save(path);
  const auto n = number_of(path);
  auto f = fields(n);
  const auto old = f.acl;
  f.acl = acls_.intern(acl);
  ++f.aversion;
  store(n, f);
  acls_.release(old);
}

void data_tree::save(std::string_view path) {
  if (!recording_) return;
  const auto n = number_of(path);
  if (n == none) {
    undo_.emplace_back(std::string{path}, std::nullopt);
    return;
  }
  saved_node before{.fields = fields(n), .data = std::nullopt};
  if (before.fields.data) before.data.emplace(*before.fields.data);
  before.fields.name = {};
  before.fields.data.reset();
  acls_.retain(before.fields.acl);
  undo_.emplace_back(std::string{path}, std::move(before));
}

void data_tree::restore(const std::string& path, const saved_node& before) {
  auto f = before.fields;
  if (before.data) f.data = *before.data;
  acls_.retain(f.acl);
  const auto n = number_of(path);
  if (n == none) {
    f.name = node_name(path);
    add_node(number_of(parent_path(path)), f);
    return;
  }
  const auto now = fields(n);
  f.name = now.name;
  untrack(n, now.owner);
  store(n, f);
  track(n, f.owner);
  acls_.release(now.acl);
}

void data_tree::begin_undo() {
  forget_undo();
  recording_ = true;
}

void data_tree::rollback() {
  recording_ = false;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (it->second)
      restore(it->first, *it->second);
    else if (const auto n = number_of(it->first); n != none)
      drop_node(n);
  }
  forget_undo();
  compact_times();
}

void data_tree::commit() {
  recording_ = false;
  forget_undo();
  compact_times();
}

void data_tree::forget_undo() {
  for (const auto& [path, before] : undo_)
    if (before) acls_.release(before->fields.acl);
  undo_.clear();
}

void data_tree::compact_times() {
  if (recording_ || times_.size() <= 2 * times_kept_ + count_ / 4 + 4096) return;
  std::vector<std::int64_t> in_use;
  in_use.reserve(2 * count_);
  for (std::uint32_t n = 0; n < slots_.size(); ++n)
    if (slots_[n].record != 0) {
      const auto f = fields(n);
      in_use.push_back(f.czxid);
      in_use.push_back(f.mzxid);
    }
  times_.keep_only(in_use);
  times_kept_ = times_.size();
}

void data_tree::for_each_node(
    const std::function<void(std::string_view path, const node& n)>& f) const {
  std::string path = "/";
  std::vector<std::pair<std::uint32_t, std::size_t>> pending;
  const auto visit = [&](std::uint32_t n) {
    f(path, view(n));
    for (auto c = slots_[n].first_child; c != none; c = slots_[c].next_sibling)
      pending.emplace_back(c, path.size());
  };
  visit(root);
  while (!pending.empty()) {
    const auto [n, parent_length] = pending.back();
    pending.pop_back();
    path.resize(parent_length);
    if (parent_length > 1) path += '/';
    path += key_of(n).second;
    visit(n);
  }
}

std::size_t data_tree::approximate_data_size() const {
  std::size_t size = 0;
  for_each_node([&](std::string_view path, const node& n) {
    size += path.size() + (n.data ? n.data->size() : 0);
  });
  return size;
}

std::int32_t data_tree::descendant_count(std::string_view path) const {
  const auto top = number_of(path);
  if (top == none) return 0;
  std::int32_t count = 0;
  std::vector<std::uint32_t> pending{top};
  while (!pending.empty()) {
    const auto n = pending.back();
    pending.pop_back();
    for (auto c = slots_[n].first_child; c != none; c = slots_[c].next_sibling) {
      ++count;
      pending.push_back(c);
    }
  }
  return count;
}

std::vector<std::string> data_tree::paths_of(const std::set<std::uint32_t>& nodes) const {
  std::vector<std::string> paths;
  paths.reserve(nodes.size());
  for (const auto n : nodes) paths.push_back(path_of(n));
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<std::string> data_tree::ephemerals(std::int64_t session) const {
  const auto it = ephemerals_.find(session);
  return it == ephemerals_.end() ? std::vector<std::string>{} : paths_of(it->second);
}

std::map<std::int64_t, std::vector<std::string>> data_tree::all_ephemerals() const {
  std::map<std::int64_t, std::vector<std::string>> all;
  for (const auto& [session, nodes] : ephemerals_) all.emplace(session, paths_of(nodes));
  return all;
}

std::size_t data_tree::ephemeral_count() const {
  std::size_t count = 0;
  for (const auto& [session, nodes] : ephemerals_) count += nodes.size();
  return count;
}

std::vector<std::string> data_tree::reap_candidates(std::int64_t now_wall_ms) const {
  std::set<std::uint32_t> empty_containers, expired;
  for (const auto n : containers_)
    if (slots_[n].num_children == 0 && fields(n).child_creations > 0) empty_containers.insert(n);
  for (const auto n : ttls_)
    if (const auto v = view(n); v.num_children == 0 && now_wall_ms - v.mtime() > v.ttl_ms())
      expired.insert(n);
  auto out = paths_of(empty_containers);
  for (auto& path : paths_of(expired)) out.push_back(std::move(path));
  return out;
}

}  // namespace zkpp::detail::server
