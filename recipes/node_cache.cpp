#include "zkpp/recipes/node_cache.hpp"

#include <mutex>
#include <vector>

#include "watching_handle_impl.hpp"
#include "zkpp/recipes/detail/persistent_watch.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

// Shared with the callbacks in flight; guarded by `m`, which is never held
// while calling the client or a listener. Reads of one session complete in
// the order they were sent, so the last completed read is the newest state.
class node_cache_core : public std::enable_shared_from_this<node_cache_core> {
 public:
  node_cache_core(client& zk, std::string path, bool persistent)
      : zk_(zk), path_(std::move(path)), watch_(persistent) {}

  void start(completion<std::error_code> done) {
    life_.start(zk_, std::move(done), shared_from_this());
  }

  void close() {
    {
      std::lock_guard lock{m_};
      listeners_.clear();
    }
    life_.close();
  }

  void add_listener(node_cache::listener l) {
    std::lock_guard lock{m_};
    listeners_.push_back(std::move(l));
  }

  std::optional<data_result> current() const {
    std::lock_guard lock{m_};
    return current_;
  }

  // Called back through the rewatch loop: after every (re)connection and,
  // with one-shot watches, every event.
  void look(watcher w, std::function<void(std::error_code)> looked) {
    watch_.ensure(
        zk_, path_, add_watch_mode::persistent,
        [weak = weak_from_this()](const watch_event& e) {
          if (e.type == event_type::none) return;  // the loop hears of reconnections
          if (auto self = weak.lock(); self && !self->life_.closed()) self->read({}, nullptr);
        },
        [self = shared_from_this(), w, looked](std::error_code ec) {
          if (ec) return self->failed(ec, looked);
          self->read(self->watch_.enabled() ? watcher{} : w, looked);
        });
  }

 private:
  // Reads the node (arming `w` when set); `looked` (if any) hears how it went.
  void read(watcher w, std::function<void(std::error_code)> looked) {
    zk_.async_get_data(path_, w,
                       [self = shared_from_this(), w, looked](std::error_code ec, data_result r) {
                         if (ec == error::no_node && w)
                           // Watch for the node's creation (a persistent watch sees it anyway).
                           return self->zk_.async_exists(
                               self->path_, w,
                               [self, w, looked](std::error_code ec, std::optional<zkpp::stat> st) {
                                 if (!ec && st) return self->read(w, looked);
                                 if (!ec) self->apply(std::nullopt);
                                 self->failed(ec, looked);
                               });
                         if (ec == error::no_node)
                           self->apply(std::nullopt);
                         else if (!ec)
                           self->apply(std::move(r));
                         self->failed(ec == error::no_node ? std::error_code{} : ec, looked);
                       });
  }

  void apply(std::optional<data_result> r) {
    std::unique_lock lock{m_};
    if (life_.closed()) return;
    const bool first = !read_once_;
    read_once_ = true;
    const bool changed =
        first || current_.has_value() != r.has_value() ||
        (r && (r->stat.mzxid != current_->stat.mzxid || r->stat.czxid != current_->stat.czxid));
    current_ = std::move(r);
    const auto listeners = changed && !first ? listeners_ : std::vector<node_cache::listener>{};
    const auto now = current_;
    lock.unlock();
    for (const auto& l : listeners) l(now);
    if (first) life_.ready();
  }

  // Passes the outcome of a look on; a non-retryable error fails start().
  void failed(std::error_code ec, const std::function<void(std::error_code)>& looked) {
    if (ec && !retryable(ec)) life_.failed(ec);
    if (looked) looked(ec);
  }

  client& zk_;
  const std::string path_;
  mutable std::mutex m_;
  persistent_watch watch_;
  bool read_once_ = false;
  std::optional<data_result> current_;
  std::vector<node_cache::listener> listeners_;
  rewatch_lifecycle life_;
};

}  // namespace detail

template class detail::watching_handle<detail::node_cache_core, node_cache_listener>;

node_cache::node_cache(client& zk, std::string path, node_cache_options options)
    : watching_handle(
          zk, path, "zkpp::recipes::node_cache",
          std::make_shared<detail::node_cache_core>(zk, path, options.persistent_watch)) {}

std::optional<data_result> node_cache::current() const {
  return core().current();
}

}  // namespace zkpp::recipes
