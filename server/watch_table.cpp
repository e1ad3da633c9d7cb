#include "zkpp/detail/server/watch_table.hpp"

#include "zkpp/detail/server/data_tree.hpp"

namespace zkpp::detail::server {

void watch_index::add(const std::string& path, watcher_id w, watch_mode mode) {
  auto& watchers = table_[path];
  const auto it = watchers.find(w);
  if (it != watchers.end() && it->second == watch_mode::persistent_recursive) --recursive_;
  watchers[w] = mode;
  if (mode == watch_mode::persistent_recursive) ++recursive_;
}

std::set<watcher_id> watch_index::trigger(const std::string& path, event_type type,
                                          const std::set<watcher_id>& suppress,
                                          std::vector<notification>& out) {
  std::set<watcher_id> matched;
  std::string_view at = path;
  bool on_path = true;
  while (true) {
    if (const auto it = table_.find(at); it != table_.end()) {
      auto& watchers = it->second;
      for (auto w = watchers.begin(); w != watchers.end();) {
        bool erase = false;
        if (w->second == watch_mode::persistent_recursive) {
          if (type != event_type::node_children_changed) matched.insert(w->first);
        } else if (on_path) {
          matched.insert(w->first);
          erase = w->second == watch_mode::standard;
        }
        w = erase ? watchers.erase(w) : std::next(w);
      }
      if (watchers.empty()) table_.erase(it);
    }
    // Ancestors matter only for recursive watches.
    if (recursive_ == 0 || at.empty() || at == "/") break;
    at = parent_path(at);
    on_path = false;
  }
  for (auto w : matched)
    if (!suppress.contains(w)) out.push_back({w, type, path});
  return matched;
}

bool watch_index::contains(const std::string& path, watcher_id w) const {
  const auto it = table_.find(path);
  return it != table_.end() && it->second.contains(w);
}

bool watch_index::remove(const std::string& path, watcher_id w) {
  const auto it = table_.find(path);
  if (it == table_.end()) return false;
  const auto entry = it->second.find(w);
  if (entry == it->second.end()) return false;
  if (entry->second == watch_mode::persistent_recursive) --recursive_;
  it->second.erase(entry);
  if (it->second.empty()) table_.erase(it);
  return true;
}

void watch_index::remove_watcher(watcher_id w) {
  for (auto it = table_.begin(); it != table_.end();) {
    if (const auto entry = it->second.find(w); entry != it->second.end()) {
      if (entry->second == watch_mode::persistent_recursive) --recursive_;
      it->second.erase(entry);
    }
    it = it->second.empty() ? table_.erase(it) : std::next(it);
  }
}

std::size_t watch_index::watch_count() const {
  std::size_t count = 0;
  for (const auto& [path, watchers] : table_) count += watchers.size();
  return count;
}

void watch_table::node_created(const std::string& path, std::vector<notification>& out) {
  data.trigger(path, event_type::node_created, {}, out);
  child.trigger(std::string{parent_path(path)}, event_type::node_children_changed, {}, out);
}

void watch_table::node_deleted(const std::string& path, std::vector<notification>& out) {
  // One NodeDeleted per watcher even if it watched both tables.
  const auto seen = data.trigger(path, event_type::node_deleted, {}, out);
  child.trigger(path, event_type::node_deleted, seen, out);
  child.trigger(std::string{parent_path(path)}, event_type::node_children_changed, {}, out);
}

void watch_table::data_changed(const std::string& path, std::vector<notification>& out) {
  data.trigger(path, event_type::node_data_changed, {}, out);
}

void watch_table::remove_watcher(watcher_id w) {
  data.remove_watcher(w);
  child.remove_watcher(w);
}

}  // namespace zkpp::detail::server
