#include "watch_registry.hpp"

namespace zkpp::detail {
namespace {

using table = std::unordered_map<std::string, std::vector<watch_registry::watcher_ptr>>;

// Moves the watchers of `path` to `out`; how many.
std::size_t move_out(table& t, const std::string& path,
                     std::vector<watch_registry::watcher_ptr>& out) {
  const auto it = t.find(path);
  if (it == t.end()) return 0;
  const auto n = it->second.size();
  for (auto& w : it->second) out.push_back(std::move(w));
  t.erase(it);
  return n;
}

void copy_out(const table& t, const std::string& path,
              std::vector<watch_registry::watcher_ptr>& out) {
  const auto it = t.find(path);
  if (it != t.end()) out.insert(out.end(), it->second.begin(), it->second.end());
}

std::vector<std::string> keys(const table& t) {
  std::vector<std::string> out;
  out.reserve(t.size());
  for (const auto& [path, _] : t) out.push_back(path);
  return out;
}

}  // namespace

watch_registry::table& watch_registry::table_for(watch_kind kind) {
  switch (kind) {
    case watch_kind::data:
      return data_;
    case watch_kind::exist:
      return exist_;
    case watch_kind::child:
      return child_;
    case watch_kind::persistent:
      return persistent_;
    case watch_kind::persistent_recursive:
    case watch_kind::none:
      break;
  }
  return recursive_;
}

void watch_registry::add(watch_kind kind, const std::string& path, watcher w) {
  if (kind == watch_kind::none || !w) return;
  table_for(kind)[path].push_back(std::make_shared<const watcher>(std::move(w)));
  ++count_;
}

std::vector<watch_registry::watcher_ptr> watch_registry::take(event_type type,
                                                              const std::string& path) {
  std::vector<watcher_ptr> out;
  switch (type) {
    case event_type::node_created:
    case event_type::node_data_changed:
      count_ -= move_out(data_, path, out) + move_out(exist_, path, out);
      break;
    case event_type::node_deleted:
      count_ -=
          move_out(data_, path, out) + move_out(exist_, path, out) + move_out(child_, path, out);
      break;
    case event_type::node_children_changed:
      count_ -= move_out(child_, path, out);
      break;
    default:
      return out;
  }
  copy_out(persistent_, path, out);
  if (type != event_type::node_children_changed && !recursive_.empty()) {
    // A recursive watch on the path or any ancestor sees the event.
    std::string prefix = path;
    for (;;) {
      copy_out(recursive_, prefix, out);
      if (prefix == "/") break;
      const auto slash = prefix.rfind('/');
      prefix.resize(slash == 0 ? 1 : slash);
    }
  }
  return out;
}

std::vector<std::pair<watch_registry::watcher_ptr, event_type>> watch_registry::remove(
    const std::string& path, watcher_type type) {
  std::vector<std::pair<watcher_ptr, event_type>> out;
  auto drain = [&](table& t, event_type told) {
    std::vector<watcher_ptr> ws;
    count_ -= move_out(t, path, ws);
    for (auto& w : ws) out.emplace_back(std::move(w), told);
  };
  if (type == watcher_type::data || type == watcher_type::any) {
    drain(data_, event_type::data_watch_removed);
    drain(exist_, event_type::data_watch_removed);
  }
  if (type == watcher_type::children || type == watcher_type::any)
    drain(child_, event_type::child_watch_removed);
  if (type == watcher_type::any) {
    drain(persistent_, event_type::persistent_watch_removed);
    drain(recursive_, event_type::persistent_watch_removed);
  }
  return out;
}

std::vector<watch_registry::watcher_ptr> watch_registry::take_all() {
  std::vector<watcher_ptr> out;
  for (table* t : {&data_, &exist_, &child_, &persistent_, &recursive_}) {
    for (auto& [_, ws] : *t)
      for (auto& w : ws) out.push_back(std::move(w));
    t->clear();
  }
  count_ = 0;
  return out;
}

proto::set_watches2 watch_registry::snapshot(std::int64_t relative_zxid) const {
  return {relative_zxid, keys(data_),       keys(exist_),
          keys(child_),  keys(persistent_), keys(recursive_)};
}

}  // namespace zkpp::detail
