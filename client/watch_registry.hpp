#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "zkpp/detail/proto/records.hpp"
#include "zkpp/detail/request.hpp"

namespace zkpp::detail {

// The watches this session holds, by kind and server path. Decides which
// watchers a server event fires (ZooKeeper's rules, PROTOCOL.md §12) and
// what to re-register after a reconnect.
class watch_registry {
 public:
  using watcher_ptr = std::shared_ptr<const watcher>;

  void add(watch_kind kind, const std::string& path, watcher w);

  // The watchers a server event on `path` fires; one-shot ones are removed.
  std::vector<watcher_ptr> take(event_type type, const std::string& path);

  // Removes the watchers of `type` on `path` (after a successful removeWatches),
  // with the event each one should be told.
  std::vector<std::pair<watcher_ptr, event_type>> remove(const std::string& path,
                                                         watcher_type type);

  // Every watcher, removing them all (session expired or closed).
  std::vector<watcher_ptr> take_all();

  // The paths to re-arm with setWatches2 after a reconnect.
  proto::set_watches2 snapshot(std::int64_t relative_zxid) const;

  // Kept as a count: the metrics read it after every reply.
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

 private:
  using table = std::unordered_map<std::string, std::vector<watcher_ptr>>;
  table& table_for(watch_kind kind);

  table data_;
  table exist_;
  table child_;
  table persistent_;
  table recursive_;
  std::size_t count_ = 0;
};

}  // namespace zkpp::detail
