#include "zkpp/recipes/group_view.hpp"

#include <mutex>
#include <set>
#include <vector>

#include "watching_handle_impl.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

// Shared with the callbacks in flight; guarded by `m`, which is never held
// while calling the client, a handler or a listener.
class view_core : public std::enable_shared_from_this<view_core> {
 public:
  view_core(client& zk, std::string dir) : zk_(zk), dir_(std::move(dir)) {}

  void start(completion<std::error_code> done) {
    life_.start(zk_, std::move(done), shared_from_this());
  }

  void close() {
    {
      std::lock_guard lock{m_};
      closed_ = true;
      listeners_.clear();
    }
    life_.close();
  }

  void add_listener(group_view_listener l) {
    std::lock_guard lock{m_};
    listeners_.push_back(std::move(l));
  }

  std::map<std::string, member_info> members() const {
    std::lock_guard lock{m_};
    std::map<std::string, member_info> out;
    for (const auto& [id, e] : entries_) out.emplace(id, e.info);
    return out;
  }

 private:
  struct entry {
    member_info info;
    std::int64_t session = 0;  // the session whose data watch is armed
  };
  enum class change { joined, left, updated };
  using event = std::pair<change, member_info>;

 public:  // called back through the rewatch loop
  void look(watcher w, std::function<void(std::error_code)> looked) {
    zk_.async_get_children2(
        dir_, w, [self = shared_from_this(), w, looked](std::error_code ec, children_result r) {
          if (ec == error::no_node)
            return self->zk_.async_exists(
                self->dir_, w, [self, w, looked](std::error_code ec, std::optional<zkpp::stat> st) {
                  if (ec) return self->failed(ec, looked);
                  if (st) return self->look(w, looked);  // created meanwhile
                  self->apply({}, -1);
                  looked({});
                });
          if (ec) return self->failed(ec, looked);
          self->apply(std::move(r.children), r.stat.pzxid);
          looked({});
        });
  }

 private:
  // A listing of the group (pzxid -1: the group node is missing).
  void apply(std::vector<std::string> children, std::int64_t pzxid) {
    std::unique_lock lock{m_};
    // Listings may complete out of order (a watch and a reconnect both look).
    if (closed_ || (pzxid >= 0 && pzxid < last_pzxid_)) return;
    last_pzxid_ = pzxid;
    listed_ = {children.begin(), children.end()};
    std::vector<event> events;
    std::erase_if(entries_, [&](const auto& kv) {
      if (listed_.contains(kv.first)) return false;
      events.emplace_back(change::left, kv.second.info);
      return true;
    });
    const auto session = zk_.session_id();
    std::vector<std::string> to_read;
    for (const auto& name : listed_) {
      const auto it = entries_.find(name);
      if (it != entries_.end() && it->second.session == session) continue;
      if (mark_reading(name)) to_read.push_back(name);
    }
    lock.unlock();
    tell(events);
    for (const auto& name : to_read) read(name, 0);
    check_complete();
  }

  // True when no read of `name` is in flight (one starts); otherwise the
  // read in flight reads again when it completes.
  bool mark_reading(const std::string& name) {
    const auto [it, fresh] = reading_.try_emplace(name, false);
    if (!fresh) it->second = true;
    return fresh;
  }

  void read(const std::string& name, int attempt) {
    zk_.async_get_data(
        dir_ + "/" + name,
        [weak = weak_from_this(), name](const watch_event& e) {
          if (e.type != event_type::node_data_changed) return;
          auto self = weak.lock();
          if (!self) return;
          std::unique_lock lock{self->m_};
          if (self->closed_ || !self->listed_.contains(name) || !self->mark_reading(name)) return;
          lock.unlock();
          self->read(name, 0);
        },
        [self = shared_from_this(), name, attempt](std::error_code ec, data_result r) {
          if (retryable(ec))
            return retry_later(self->zk_, attempt,
                               [self, name, attempt] { self->read(name, attempt + 1); });
          self->on_read(name, ec, std::move(r));
        });
  }

  void on_read(const std::string& name, std::error_code ec, data_result r) {
    std::unique_lock lock{m_};
    const bool again = reading_[name];
    reading_.erase(name);
    // Gone (the children watch tells), or no longer ours to watch.
    if (closed_ || !listed_.contains(name) || ec) return;
    if (again) {
      reading_.emplace(name, false);
      lock.unlock();
      return read(name, 0);
    }
    std::vector<event> events;
    auto [it, joined] = entries_.try_emplace(name);
    auto& e = it->second;
    if (joined || r.stat.mzxid >= e.info.stat.mzxid) {
      const bool changed = !joined && e.info.payload != r.data;
      e.info = {name, std::move(r.data), r.stat};
      if (joined)
        events.emplace_back(change::joined, e.info);
      else if (changed)
        events.emplace_back(change::updated, e.info);
    }
    e.session = zk_.session_id();
    lock.unlock();
    tell(events);
    check_complete();
  }

  void check_complete() {
    std::unique_lock lock{m_};
    for (const auto& name : listed_)
      if (!entries_.contains(name)) return;
    lock.unlock();
    life_.ready();
  }

  void tell(const std::vector<event>& events) {
    if (events.empty()) return;
    std::unique_lock lock{m_};
    const auto listeners = listeners_;
    lock.unlock();
    for (const auto& [what, info] : events)
      for (const auto& l : listeners) {
        const auto& f = what == change::joined ? l.joined
                        : what == change::left ? l.left
                                               : l.updated;
        if (f) f(info);
      }
  }

  void failed(std::error_code ec, const std::function<void(std::error_code)>& looked) {
    if (!retryable(ec)) life_.failed(ec);
    looked(ec);
  }

  client& zk_;
  const std::string dir_;
  mutable std::mutex m_;
  bool closed_ = false;
  std::int64_t last_pzxid_ = -1;
  std::set<std::string> listed_;
  std::map<std::string, entry> entries_;
  std::map<std::string, bool> reading_;  // reads in flight: read again when done?
  std::vector<group_view_listener> listeners_;
  rewatch_lifecycle life_;  // ready once the first view is complete
};

}  // namespace detail

template class detail::watching_handle<detail::view_core, group_view_listener>;

group_view::group_view(client& zk, std::string group_path)
    : watching_handle(zk, group_path, "zkpp::recipes::group_view",
                      std::make_shared<detail::view_core>(zk, group_path)) {}

std::map<std::string, member_info> group_view::members() const {
  return core().members();
}

}  // namespace zkpp::recipes
