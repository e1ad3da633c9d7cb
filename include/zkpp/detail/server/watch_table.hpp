#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "zkpp/types.hpp"

namespace zkpp::detail::server {

// Watches belong to a connection, as in ZooKeeper (a reconnecting client
// re-arms them with SetWatches).
using watcher_id = std::uint64_t;

enum class watch_mode { standard, persistent, persistent_recursive };

// A notification to deliver: which connection, which event.
struct notification {
  watcher_id to = 0;
  event_type type = event_type::none;
  std::string path;
};

// One of ZooKeeper's two watch tables (WatchManager): path -> watcher -> mode.
// A watcher holds at most one mode per path; the last one set wins.
class watch_index {
 public:
  void add(const std::string& path, watcher_id w, watch_mode mode);
  // Fires `type` on `path`: standard watches on the path (consumed),
  // persistent ones on the path and recursive ones on it and its ancestors
  // (never for NodeChildrenChanged). Appends a notification for each
  // matching watcher not in `suppress`; returns all that matched.
  std::set<watcher_id> trigger(const std::string& path, event_type type,
                               const std::set<watcher_id>& suppress,
                               std::vector<notification>& out);
  bool contains(const std::string& path, watcher_id w) const;
  bool remove(const std::string& path, watcher_id w);
  void remove_watcher(watcher_id w);

  std::size_t watch_count() const;
  const std::map<std::string, std::map<watcher_id, watch_mode>, std::less<>>& by_path() const {
    return table_;
  }

 private:
  std::map<std::string, std::map<watcher_id, watch_mode>, std::less<>> table_;
  std::size_t recursive_ = 0;
};

// The data table (getData/exists watches) and the child table (getChildren
// watches), and what each change fires (PROTOCOL.md §12.5).
class watch_table {
 public:
  watch_index data;
  watch_index child;

  void node_created(const std::string& path, std::vector<notification>& out);
  void node_deleted(const std::string& path, std::vector<notification>& out);
  void data_changed(const std::string& path, std::vector<notification>& out);
  void remove_watcher(watcher_id w);
  std::size_t watch_count() const { return data.watch_count() + child.watch_count(); }
};

}  // namespace zkpp::detail::server
