#include "zkpp/recipes/tree_cache.hpp"

#include <mutex>
#include <set>
#include <vector>

#include "watching_handle_impl.hpp"
#include "zkpp/recipes/detail/persistent_watch.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

// Shared with the callbacks in flight; guarded by `m`, which is never held
// while calling the client or a listener. Reads of one session complete in
// the order they were sent, so for each node the last completed read is its
// newest state.
class tree_cache_core : public std::enable_shared_from_this<tree_cache_core> {
 public:
  tree_cache_core(client& zk, std::string root, bool persistent)
      : zk_(zk), root_(std::move(root)), watch_(persistent) {}

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

  void add_listener(tree_cache_listener l) {
    std::lock_guard lock{m_};
    listeners_.push_back(std::move(l));
  }

  std::map<std::string, data_result> nodes() const {
    std::lock_guard lock{m_};
    std::map<std::string, data_result> out;
    for (const auto& [p, e] : entries_)
      if (e.stamp != 0) out.emplace(p, e.node);
    return out;
  }

  std::optional<data_result> get(const std::string& p) const {
    std::lock_guard lock{m_};
    const auto it = entries_.find(p);
    if (it == entries_.end() || it->second.stamp == 0) return std::nullopt;
    return it->second.node;
  }

  // Called back through the rewatch loop after every (re)connection, and
  // when the missing root may have been created: reads the whole subtree.
  void look(watcher w, std::function<void(std::error_code)> looked) {
    watch_.ensure(
        zk_, root_, add_watch_mode::persistent_recursive,
        [weak = weak_from_this()](const watch_event& e) {
          if (auto self = weak.lock()) self->on_event(e);
        },
        [self = shared_from_this(), w, looked](std::error_code ec) {
          if (ec) return self->failed(ec, looked);
          self->walk(w, looked);
        });
  }

 private:
  struct entry {
    data_result node;
    std::uint64_t stamp = 0;           // when it was last read
    std::int64_t watched_session = 0;  // one-shot watches armed in this session
  };

  // One full read of the subtree.
  struct walk_state {
    std::uint64_t start = 0;
    std::set<std::string> seen;
    int pending = 0;
    bool loop = true;  // false: a new subtree's walk, which drops and reports nothing
    std::error_code error;
    std::function<void(std::error_code)> looked;
  };

  void walk(watcher w, std::function<void(std::error_code)> looked) {
    auto ws = std::make_shared<walk_state>();
    {
      std::lock_guard lock{m_};
      ws->start = ++stamp_;
      ws->pending = 1;
    }
    ws->looked = std::move(looked);
    visit(root_, ws, std::move(w));
  }

  // Reads `p` and its children (arming one-shot watches when they are
  // ours to keep), then visits each child. `root_watch` (the loop's) waits
  // for a missing root.
  void visit(const std::string& p, const std::shared_ptr<walk_state>& ws, watcher root_watch) {
    const bool arm = arm_one_shot(p);
    zk_.async_get_data(
        p, arm ? data_watcher(p) : watcher{},
        [self = shared_from_this(), p, ws, root_watch, arm](std::error_code ec, data_result r) {
          if (ec == error::no_node) {
            self->erase(p);
            if (p == self->root_ && !self->watch_.enabled())
              return self->zk_.async_exists(p, root_watch,
                                            [self, p, ws, root_watch](std::error_code ec, auto st) {
                                              if (!ec && st) return self->visit(p, ws, root_watch);
                                              self->walked(ws, ec);
                                            });
            return self->walked(ws, {});
          }
          if (ec) {
            if (arm) self->disarm(p);
            return self->walked(ws, ec);
          }
          self->apply(p, std::move(r));
          {
            std::lock_guard lock{self->m_};
            ws->seen.insert(p);
          }
          self->zk_.async_get_children(
              p, arm ? self->children_watcher(p) : watcher{},
              [self, p, ws, arm](std::error_code ec, std::vector<std::string> children) {
                if (ec == error::no_node) return self->walked(ws, {});
                if (ec) {
                  if (arm) self->disarm(p);
                  return self->walked(ws, ec);
                }
                {
                  std::lock_guard lock{self->m_};
                  ws->pending += static_cast<int>(children.size());
                }
                for (const auto& c : children) self->visit(self->child(p, c), ws, {});
                self->walked(ws, {});
              });
        });
  }

  // One visit of the walk is over; the last one drops what the walk did not
  // find (and nothing read since it began), then reports.
  void walked(const std::shared_ptr<walk_state>& ws, std::error_code ec) {
    std::unique_lock lock{m_};
    if (ec && !ws->error) ws->error = ec;
    if (--ws->pending > 0 || !ws->loop) return;
    std::vector<std::pair<std::string, data_result>> gone;
    if (!ws->error)
      std::erase_if(entries_, [&](const auto& kv) {
        if (ws->seen.contains(kv.first) || kv.second.stamp > ws->start) return false;
        if (kv.second.stamp != 0) gone.emplace_back(kv.first, kv.second.node);
        return true;
      });
    const auto listeners = listeners_;
    lock.unlock();
    for (const auto& [p, last] : gone)
      for (const auto& l : listeners)
        if (l.deleted) l.deleted(p, last);
    if (!ws->error) {
      lock.lock();
      const bool first = !initialized_;
      initialized_ = true;
      lock.unlock();
      if (first) {
        for (const auto& l : listeners)
          if (l.initialized) l.initialized();
        life_.ready();
      }
    }
    failed(ws->error, ws->looked);
  }

  void on_event(const watch_event& e) {
    if (life_.closed()) return;
    switch (e.type) {
      case event_type::node_created:
      case event_type::node_data_changed:
        return refresh(e.path, false);
      case event_type::node_deleted:
        return erase(e.path);
      default:
        return;
    }
  }

  // Reads one node again (re-arming its data watch in one-shot mode).
  void refresh(const std::string& p, bool arm) {
    zk_.async_get_data(p, arm ? data_watcher(p) : watcher{},
                       [self = shared_from_this(), p, arm](std::error_code ec, data_result r) {
                         if (ec == error::no_node) return self->erase(p);
                         if (!ec) return self->apply(p, std::move(r));
                         if (arm) self->disarm(p);
                       });
  }

  watcher data_watcher(const std::string& p) {
    return [weak = weak_from_this(), p](const watch_event& e) {
      auto self = weak.lock();
      if (!self || self->life_.closed()) return;
      if (e.type == event_type::node_deleted) return self->revisit(p);
      if (e.type == event_type::node_data_changed) self->refresh(p, true);
    };
  }

  // The node went away, taking the watches armed on it: drops it and reads
  // it afresh, arming new ones if it is back already (a re-created node is
  // otherwise found through its parent's children watch).
  void revisit(const std::string& p) {
    erase(p);
    visit(p, orphan_walk(), {});
  }

  // One-shot mode: new children are visited (with their watches armed).
  watcher children_watcher(const std::string& p) {
    return [weak = weak_from_this(), p](const watch_event& e) {
      auto self = weak.lock();
      if (!self || self->life_.closed()) return;
      if (e.type == event_type::node_deleted) return self->revisit(p);
      if (e.type != event_type::node_children_changed) return;
      self->zk_.async_get_children(
          p, self->children_watcher(p),
          [self, p](std::error_code ec, std::vector<std::string> children) {
            // Gone (its data watch tells), or lost: the reconnection's walk re-arms it.
            if (ec) return self->disarm(p);
            for (const auto& c : children) {
              const auto cp = self->child(p, c);
              if (!self->followed(cp)) self->visit(cp, self->orphan_walk(), {});
            }
          });
    };
  }

  // True when `p` is cached with its watches armed in this session. A cached
  // node whose watches were lost with a connection may be a stale copy of a
  // node deleted and created again meanwhile (a walk that began in between
  // drops it): it must be read again.
  bool followed(const std::string& p) const {
    std::lock_guard lock{m_};
    const auto it = entries_.find(p);
    return it != entries_.end() && it->second.stamp != 0 &&
           it->second.watched_session == zk_.session_id();
  }

  // A walk of one new subtree, outside the loop.
  std::shared_ptr<walk_state> orphan_walk() {
    auto ws = std::make_shared<walk_state>();
    ws->pending = 1;
    ws->loop = false;
    return ws;
  }

  // True when `p` needs one-shot watches armed now (none armed in this session).
  bool arm_one_shot(const std::string& p) {
    if (watch_.enabled()) return false;
    std::lock_guard lock{m_};
    auto& e = entries_[p];
    if (e.watched_session == zk_.session_id()) return false;
    e.watched_session = zk_.session_id();
    return true;
  }

  // A watch meant to be re-armed was not: the next walk arms it again.
  void disarm(const std::string& p) {
    std::lock_guard lock{m_};
    if (const auto it = entries_.find(p); it != entries_.end()) it->second.watched_session = 0;
  }

  std::string child(const std::string& p, const std::string& c) const {
    return p == "/" ? "/" + c : p + "/" + c;
  }

  void apply(const std::string& p, data_result r) {
    std::unique_lock lock{m_};
    if (life_.closed()) return;
    auto [it, fresh] = entries_.try_emplace(p);
    auto& e = it->second;
    // An entry made only to mark armed watches has never been read.
    const bool created = fresh || e.stamp == 0;
    const bool recreated = !created && e.node.stat.czxid != r.stat.czxid;
    const bool changed = recreated || (!created && e.node.stat.mzxid != r.stat.mzxid);
    e.node = std::move(r);
    e.stamp = ++stamp_;
    const auto node = e.node;
    const auto listeners = listeners_;
    lock.unlock();
    for (const auto& l : listeners) {
      if (created && l.created) l.created(p, node);
      if (changed && l.changed) l.changed(p, node);
    }
    // The old node's one-shot watches went with it: arm the new one's.
    if (recreated && !watch_.enabled()) {
      disarm(p);
      visit(p, orphan_walk(), {});
    }
  }

  // Drops `p` and everything under it.
  void erase(const std::string& p) {
    std::unique_lock lock{m_};
    std::vector<std::pair<std::string, data_result>> gone;
    const auto prefix = p == "/" ? p : p + "/";
    std::erase_if(entries_, [&](const auto& kv) {
      if (kv.first != p && !kv.first.starts_with(prefix)) return false;
      if (kv.second.stamp != 0) gone.emplace_back(kv.first, kv.second.node);
      return true;
    });
    const auto listeners = listeners_;
    lock.unlock();
    for (const auto& [path, last] : gone)
      for (const auto& l : listeners)
        if (l.deleted) l.deleted(path, last);
  }

  void failed(std::error_code ec, const std::function<void(std::error_code)>& looked) {
    if (ec && !retryable(ec)) life_.failed(ec);
    if (looked) looked(ec);
  }

  client& zk_;
  const std::string root_;
  mutable std::mutex m_;
  persistent_watch watch_;
  bool initialized_ = false;
  std::uint64_t stamp_ = 0;
  std::map<std::string, entry> entries_;
  std::vector<tree_cache_listener> listeners_;
  rewatch_lifecycle life_;
};

}  // namespace detail

template class detail::watching_handle<detail::tree_cache_core, tree_cache_listener>;

tree_cache::tree_cache(client& zk, std::string root, node_cache_options options)
    : watching_handle(
          zk, root, "zkpp::recipes::tree_cache",
          std::make_shared<detail::tree_cache_core>(zk, root, options.persistent_watch)) {}

std::map<std::string, data_result> tree_cache::nodes() const {
  return core().nodes();
}

std::optional<data_result> tree_cache::get(const std::string& p) const {
  return core().get(p);
}

}  // namespace zkpp::recipes
