#include "zkpp/recipes/mutex.hpp"

#include <asio/error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_future.hpp>

#include <future>
#include <mutex>

#include "zkpp/recipes/detail/node_names.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

// The state of one mutex, shared with the callbacks in flight; any thread
// may call in, so everything below is guarded by `m`, and nothing calls the
// client or a handler while holding it.
class mutex_core : public std::enable_shared_from_this<mutex_core> {
  using clock = std::chrono::steady_clock;

 public:
  mutex_core(client& zk, std::string dir, mutex_options options)
      : zk_(zk), dir_(std::move(dir)), options_(std::move(options)) {}

  void subscribe() {
    zk_.on_state([weak = weak_from_this()](session_state s) {
      if (auto self = weak.lock()) self->on_state(s);
    });
  }

  std::uint64_t start(completion<std::error_code> done, std::optional<clock::time_point> until,
                      bool wait) {
    std::unique_lock lock{m_};
    const auto id = ++next_waiter_;
    if (phase_ == phase::held) {
      ++holds_;
      lock.unlock();
      done({});
      return id;
    }
    waiter w{id, std::move(done), wait, nullptr};
    if (until) {
      w.timer = std::make_shared<asio::steady_timer>(zk_.get_executor(), *until);
      w.timer->async_wait([weak = weak_from_this(), id](std::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->abandon(id, error::operation_timeout);
      });
    }
    waiters_.push_back(std::move(w));
    if (phase_ == phase::acquiring) return id;
    phase_ = phase::acquiring;
    rejoins_ = 0;
    create_node(lock);
    return id;
  }

  // A waiter gives up (deadline, cancellation); the last one withdraws the node.
  void abandon(std::uint64_t id, std::error_code ec) {
    std::unique_lock lock{m_};
    const auto it = std::find_if(waiters_.begin(), waiters_.end(),
                                 [id](const waiter& w) { return w.id == id; });
    if (it == waiters_.end()) return;
    waiter w = std::move(*it);
    waiters_.erase(it);
    std::string withdraw;
    if (waiters_.empty() && phase_ == phase::acquiring) {
      phase_ = phase::idle;
      ++generation_;
      withdraw = std::exchange(node_, {});
    }
    lock.unlock();
    if (!withdraw.empty()) guaranteed_delete(zk_, withdraw);
    finish(w, ec);
  }

  void unlock() {
    std::unique_lock lock{m_};
    if (phase_ != phase::held || --holds_ > 0) return;
    phase_ = phase::idle;
    czxid_ = 0;
    const auto node = std::exchange(node_, {});
    lock.unlock();
    guaranteed_delete(zk_, node);
  }

  // The mutex object is going away.
  void shut_down() {
    std::unique_lock lock{m_};
    listeners_.clear();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    const bool had_node = phase_ != phase::idle;
    phase_ = phase::idle;
    ++generation_;
    holds_ = 0;
    const auto node = std::exchange(node_, {});
    lock.unlock();
    if (had_node && !node.empty()) guaranteed_delete(zk_, node);
    for (auto& w : waiters) finish(w, asio::error::operation_aborted);
  }

  bool held() const {
    std::lock_guard lock{m_};
    return phase_ == phase::held;
  }
  std::int64_t fencing_token() const {
    std::lock_guard lock{m_};
    return phase_ == phase::held ? czxid_ : 0;
  }
  std::string held_node() const {
    std::lock_guard lock{m_};
    return phase_ == phase::held ? node_ : std::string{};
  }
  void add_listener(std::function<void(session_state)> l) {
    std::lock_guard lock{m_};
    listeners_.push_back(std::move(l));
  }

 private:
  enum class phase { idle, acquiring, held };
  struct waiter {
    std::uint64_t id = 0;
    completion<std::error_code> done;
    bool wait = true;  // false: try_lock, give up unless first at once
    std::shared_ptr<asio::steady_timer> timer;
  };

  static void finish(waiter& w, std::error_code ec) {
    if (w.timer) w.timer->cancel();
    w.done(ec);
  }

  void on_created(std::uint64_t g, std::error_code ec, created_node node) {
    std::unique_lock lock{m_};
    if (g != generation_ || phase_ != phase::acquiring) {
      lock.unlock();
      if (!ec) guaranteed_delete(zk_, node.path);  // abandoned meanwhile
      return;
    }
    if (ec) return fail(lock, ec);
    node_ = std::move(node.path);
    czxid_ = node.stat.czxid;
    lock.unlock();
    check(g);
  }

 public:  // called back through track_position
  void check(std::uint64_t g) {
    std::unique_lock lock{m_};
    if (g != generation_ || phase_ != phase::acquiring || node_.empty()) return;
    const std::string ours{node_name(node_)};
    lock.unlock();
    track_position(zk_, dir_, ours, shared_from_this(), g);
  }

  void on_position(std::uint64_t g, std::error_code ec, const queue_position& pos) {
    std::unique_lock lock{m_};
    if (g != generation_ || phase_ != phase::acquiring) return;
    if (ec == error::no_node && rejoins_ < max_rejoins) {
      // Our node went while we waited (its session expired and the client
      // started a new one, or someone deleted it): queue again, at the end.
      ++rejoins_;
      node_.clear();
      return create_node(lock);
    }
    if (ec) return fail(lock, ec);
    if (pos.index == 0) {
      phase_ = phase::held;
      auto waiters = std::move(waiters_);
      waiters_.clear();
      holds_ = static_cast<int>(waiters.size());
      lock.unlock();
      for (auto& w : waiters) finish(w, {});
      return;
    }
    // Someone holds or waits before us: try_lock gives up now.
    std::vector<waiter> quitters;
    std::erase_if(waiters_, [&](waiter& w) {
      if (w.wait) return false;
      quitters.push_back(std::move(w));
      return true;
    });
    std::string withdraw;
    if (waiters_.empty()) {
      phase_ = phase::idle;
      ++generation_;
      withdraw = std::exchange(node_, {});
    }
    lock.unlock();
    if (!withdraw.empty()) guaranteed_delete(zk_, withdraw);
    for (auto& w : quitters) finish(w, error::operation_timeout);
  }

 private:
  // Creates our contender node for a new generation; unlocks `lock`.
  void create_node(std::unique_lock<std::mutex>& lock) {
    const auto g = ++generation_;
    const auto prefix = protected_prefix("lock");
    lock.unlock();
    create_protected(zk_, dir_, prefix, options_.data,
                     [self = shared_from_this(), g](std::error_code ec, created_node node) {
                       self->on_created(g, ec, std::move(node));
                     });
  }

  // The acquisition failed: withdraw the node (if any) and tell every waiter.
  void fail(std::unique_lock<std::mutex>& lock, std::error_code ec) {
    phase_ = phase::idle;
    ++generation_;
    const auto node = std::exchange(node_, {});
    auto waiters = std::move(waiters_);
    waiters_.clear();
    lock.unlock();
    if (!node.empty()) guaranteed_delete(zk_, node);
    for (auto& w : waiters) finish(w, ec);
  }

  void on_state(session_state s) {
    std::unique_lock lock{m_};
    if (phase_ == phase::acquiring) {
      // A watch may have been missed around the outage: look again (a gone
      // session shows up there as an error).
      const auto g = generation_;
      lock.unlock();
      if (s == session_state::reconnected || s == session_state::lost ||
          s == session_state::closed || s == session_state::connected)
        check(g);
      return;
    }
    if (phase_ != phase::held) return;
    if (s == session_state::reconnected && options_.revoke == revoke_on::lost) {
      // Still ours only if the node survived the outage.
      const auto node = node_;
      lock.unlock();
      zk_.async_exists(
          node, [weak = weak_from_this(), node](std::error_code ec, std::optional<zkpp::stat> st) {
            if (auto self = weak.lock(); self && (ec == error::no_node || (!ec && !st)))
              self->revoke(node, session_state::lost);
          });
      return;
    }
    if (!revokes(options_.revoke, s)) return;
    const auto node = node_;
    lock.unlock();
    revoke(node, s);
  }

  void revoke(const std::string& node, session_state s) {
    std::unique_lock lock{m_};
    if (phase_ != phase::held || node_ != node) return;
    phase_ = phase::idle;
    holds_ = 0;
    czxid_ = 0;
    node_.clear();
    const auto listeners = listeners_;
    lock.unlock();
    // The node may still exist (suspended, not expired): nobody else could
    // take the lock while it stays.
    guaranteed_delete(zk_, node);
    for (const auto& l : listeners) l(s);
  }

  client& zk_;
  const std::string dir_;
  const mutex_options options_;
  mutable std::mutex m_;
  phase phase_ = phase::idle;
  std::uint64_t generation_ = 0;
  std::uint64_t next_waiter_ = 0;
  std::string node_;  // full path of our node (acquiring once created, held)
  std::int64_t czxid_ = 0;
  int holds_ = 0;
  static constexpr int max_rejoins = 3;
  int rejoins_ = 0;  // nodes of this acquisition that vanished while we waited
  std::vector<waiter> waiters_;
  std::vector<std::function<void(session_state)>> listeners_;
};

}  // namespace detail

mutex::mutex(client& zk, std::string path, mutex_options options)
    : zk_(zk),
      path_(std::move(path)),
      core_(std::make_shared<detail::mutex_core>(zk, path_, std::move(options))) {
  core_->subscribe();
}

mutex::~mutex() {
  core_->shut_down();
}

std::uint64_t mutex::start(detail::completion<std::error_code> done, deadline until, bool wait) {
  return core_->start(std::move(done), until, wait);
}

void mutex::abandon(const std::weak_ptr<detail::mutex_core>& core, std::uint64_t id) {
  if (auto c = core.lock()) c->abandon(id, asio::error::operation_aborted);
}

bool mutex::acquire_blocking(deadline until, bool wait) {
  if (zk_.running_in_this_thread())
    throw std::system_error(error::would_block_on_strand, "zkpp::recipes::mutex " + path_);
  // Shared: the completing thread may still be inside set_value when get() returns.
  auto result = std::make_shared<std::promise<std::error_code>>();
  auto future = result->get_future();
  start(detail::completion<std::error_code>{[result](std::error_code ec) { result->set_value(ec); },
                                            zk_.get_executor()},
        until, wait);
  const auto ec = future.get();
  if (ec == error::operation_timeout) return false;
  if (ec) throw std::system_error(ec, "zkpp::recipes::mutex " + path_);
  return true;
}

void mutex::lock() {
  acquire_blocking(std::nullopt, true);
}

bool mutex::try_lock() {
  return acquire_blocking(std::nullopt, false);
}

bool mutex::try_lock_until_(std::chrono::steady_clock::time_point deadline) {
  return acquire_blocking(deadline, true);
}

void mutex::unlock() {
  core_->unlock();
}

bool mutex::is_held() const {
  return core_->held();
}

std::int64_t mutex::fencing_token() const {
  return core_->fencing_token();
}

std::string mutex::lock_node() const {
  return core_->held_node();
}

void mutex::on_revoked(std::function<void(session_state)> listener) {
  core_->add_listener(std::move(listener));
}

void mutex::guarded_multi(std::vector<multi_op> ops,
                          detail::completion<std::error_code, multi_result> done) {
  const auto node = core_->held_node();
  if (node.empty()) return done(error::no_node, multi_result(ops.size()));
  ops.insert(ops.begin(), op::check{node, -1});
  zk_.async_multi(ops, [done](std::error_code ec, multi_result results) mutable {
    if (!results.empty()) results.erase(results.begin());
    done(ec, std::move(results));
  });
}

}  // namespace zkpp::recipes
