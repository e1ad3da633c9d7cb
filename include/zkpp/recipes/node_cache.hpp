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
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

namespace detail {
class node_cache_core;
}

struct node_cache_options {
  // Follow the node with a persistent watch (ZooKeeper 3.6+); false, or a
  // server answering unimplemented: one-shot watches re-armed on every event.
  bool persistent_watch = true;
};

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
class node_cache {
 public:
  using listener = std::function<void(const std::optional<data_result>&)>;

  node_cache(client& zk, std::string path, node_cache_options options = {});
  ~node_cache();  // close()
  node_cache(const node_cache&) = delete;
  node_cache& operator=(const node_cache&) = delete;

  // Starts following the node and waits for the first read.
  void start();
  // Completes with void(std::error_code) once the node has been read.
  template <class Token>
  auto async_start(Token&& token) {
    return detail::async_run<>(zk_.get_executor(), std::forward<Token>(token),
                               [this](auto done) { start(std::move(done)); });
  }
  void close();

  // Told (on the client's strand) each state the cache takes after the first.
  void add_listener(listener l);
  // The node as last read; nullopt when it is missing (or not read yet).
  std::optional<data_result> current() const;

  const std::string& path() const noexcept { return path_; }

 private:
  void start(detail::completion<std::error_code> done);

  client& zk_;
  std::string path_;
  std::shared_ptr<detail::node_cache_core> core_;
};

}  // namespace zkpp::recipes
