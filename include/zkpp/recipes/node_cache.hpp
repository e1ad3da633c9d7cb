#pragma once

// One node's data and stat kept in memory and told to listeners as they
// change (Curator's NodeCache).

#include <asio/async_result.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/watching_handle.hpp"

namespace zkpp::recipes {

namespace detail {
class node_cache_core;
}

struct node_cache_options {
  // Follow the node with a persistent watch (ZooKeeper 3.6+); false, or a
  // server answering unimplemented: one-shot watches re-armed on every event.
  bool persistent_watch = true;
};

// Told each state the cache takes after the first.
using node_cache_listener = std::function<void(const std::optional<data_result>&)>;

// The node is read again after every event and every (re)connection, so the
// cache never misses the latest value, though a burst of changes may be
// told as its last state only. A missing node is cached as nullopt (and
// watched for its creation).
//
// close() stops the cache; a persistent watch stays registered on the
// session (the client can only remove every watcher of a path at once),
// its events then ignored.
//
// The client must outlive the cache. Blocking calls must not be made from
// the client's own callbacks.
//
// start() / async_start() wait for the first read; close() and
// add_listener() as in detail::watching_handle.
class node_cache : public detail::watching_handle<detail::node_cache_core, node_cache_listener> {
 public:
  using listener = node_cache_listener;

  node_cache(client& zk, std::string path, node_cache_options options = {});

  // The node as last read; nullopt when it is missing (or not read yet).
  std::optional<data_result> current() const;

  const std::string& path() const noexcept { return watched_path(); }
};

}  // namespace zkpp::recipes
