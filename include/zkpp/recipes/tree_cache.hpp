#pragma once

// A whole subtree (the root and every descendant) kept in memory, with
// created / changed / deleted events, like Curator's CuratorCache.

#include <asio/async_result.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/watching_handle.hpp"
#include "zkpp/recipes/node_cache.hpp"

namespace zkpp::recipes {

namespace detail {
class tree_cache_core;
}

// Told on the client's strand, in the order the cache learns of the changes.
struct tree_cache_listener {
  std::function<void(const std::string& path, const data_result& node)> created{};
  std::function<void(const std::string& path, const data_result& node)> changed{};
  std::function<void(const std::string& path, const data_result& last)> deleted{};
  // The first full read is complete (its nodes were told as created).
  std::function<void()> initialized{};
};

// Follows the subtree with one persistent recursive watch on the root
// (options.persistent_watch false, or a server answering unimplemented:
// one-shot data and children watches on every node), re-reading a node on
// each event. After every (re)connection the whole subtree is read again
// and nodes that went missing meanwhile are told deleted, so the cache
// converges on the server's state; a burst of changes to one node may be
// told as its net effect.
//
// close() stops the cache; a persistent watch stays registered on the
// session, its events then ignored. The client must outlive the cache.
// Blocking calls must not be made from the client's own callbacks.
//
// start() / async_start() wait for the first full read; close() and
// add_listener() as in detail::watching_handle.
class tree_cache : public detail::watching_handle<detail::tree_cache_core, tree_cache_listener> {
 public:
  tree_cache(client& zk, std::string root, node_cache_options options = {});

  // Every cached node, by full path.
  std::map<std::string, data_result> nodes() const;
  std::optional<data_result> get(const std::string& path) const;

  const std::string& root() const noexcept { return watched_path(); }
};

}  // namespace zkpp::recipes
