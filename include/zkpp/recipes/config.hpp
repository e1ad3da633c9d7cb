#pragma once

// Typed configuration published in one node: every version written is
// parsed into a T and handed out as an immutable, versioned snapshot, so a
// service reloads the moment a new configuration is published.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "zkpp/client.hpp"
#include "zkpp/recipes/node_cache.hpp"

namespace zkpp::recipes {

// A parsed value with the node version (and modification zxid) it came from.
template <class T>
struct versioned {
  T value;
  std::int32_t version = 0;
  std::int64_t mzxid = 0;
};

// Follows the node through a node_cache. `parse` turns the node's bytes
// into a T and throws on bad input; a value that fails to parse (or a
// missing node, reported as std::system_error no_node) leaves the last good
// snapshot in place and goes to the error listeners.
//
// Listeners run on the client's strand. The client must outlive the config.
template <class T>
class config {
 public:
  using snapshot_ptr = std::shared_ptr<const versioned<T>>;
  using parser = std::function<T(std::string_view)>;

  config(client& zk, std::string path, parser parse, node_cache_options options = {})
      : state_(std::make_shared<state>(std::move(parse))), cache_(zk, std::move(path), options) {
    cache_.add_listener([s = state_](const std::optional<data_result>& r) { s->apply(r); });
  }

  // Reads the node once (and reports a bad or missing value like any later one).
  void start() {
    cache_.start();
    state_->apply(cache_.current());
  }
  void close() { cache_.close(); }

  // The last good configuration; nullptr before the first good one.
  snapshot_ptr snapshot() const {
    std::lock_guard lock{state_->m};
    return state_->current;
  }

  // Told every new good snapshot after start().
  void on_change(std::function<void(snapshot_ptr)> listener) {
    std::lock_guard lock{state_->m};
    state_->changed.push_back(std::move(listener));
  }
  // Told what went wrong with a value that could not be used.
  void on_error(std::function<void(std::exception_ptr)> listener) {
    std::lock_guard lock{state_->m};
    state_->errors.push_back(std::move(listener));
  }

  const std::string& path() const noexcept { return cache_.path(); }

 private:
  // Shared with the cache's listener, which may run while the config goes away.
  struct state {
    explicit state(parser p) : parse(std::move(p)) {}

    void apply(const std::optional<data_result>& r) {
      std::unique_lock lock{m};
      // The start() read and the listener may both bring the same version.
      if (r && r->stat.mzxid <= seen_mzxid) return;
      if (r) seen_mzxid = r->stat.mzxid;
      lock.unlock();
      snapshot_ptr next;
      std::exception_ptr error;
      try {
        if (!r) throw std::system_error(error::no_node, "zkpp::recipes::config");
        next = std::make_shared<const versioned<T>>(
            versioned<T>{parse(r->data), r->stat.version, r->stat.mzxid});
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      if (next) current = next;
      const auto to_tell = changed;
      const auto to_warn = errors;
      lock.unlock();
      if (next)
        for (const auto& l : to_tell) l(next);
      else
        for (const auto& l : to_warn) l(error);
    }

    const parser parse;
    mutable std::mutex m;
    std::int64_t seen_mzxid = -1;
    snapshot_ptr current;
    std::vector<std::function<void(snapshot_ptr)>> changed;
    std::vector<std::function<void(std::exception_ptr)>> errors;
  };

  std::shared_ptr<state> state_;
  node_cache cache_;
};

}  // namespace zkpp::recipes
