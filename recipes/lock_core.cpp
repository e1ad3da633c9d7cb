#include "lock_core.hpp"

#include <asio/error.hpp>

#include <algorithm>

#include "zkpp/recipes/detail/node_names.hpp"

namespace zkpp::recipes::detail {

lock_core::lock_core(client& zk, std::string dir, lock_core_options options)
    : zk_(zk), dir_(std::move(dir)), options_(std::move(options)) {}

void lock_core::subscribe() {
  subscription_ = zk_.on_state([weak = weak_from_this()](session_state s) {
    if (auto self = weak.lock()) self->on_state(s);
  });
}

void lock_core::refuse_when(std::function<std::error_code()> reason) {
  std::lock_guard lock{m_};
  refusal_ = std::move(reason);
}

std::uint64_t lock_core::start(completion<std::error_code> done,
                               std::optional<clock::time_point> until, bool wait) {
  std::unique_lock lock{m_};
  const auto id = ++next_waiter_;
  if (phase_ == phase::held) {
    ++holds_;
    lock.unlock();
    done({});
    return id;
  }
  if (refusal_) {
    auto refusal = refusal_;
    lock.unlock();
    if (const auto ec = refusal()) {
      done(ec);
      return id;
    }
    lock.lock();
  }
  waiter w{id, std::move(done), wait, nullptr};
  if (until) {
    w.timer = std::make_shared<asio::steady_timer>(zk_.get_executor(), *until);
    w.timer->async_wait([weak = weak_from_this(), id](std::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->abandon(id, error::operation_timeout);
    });
  }
  if (phase_ == phase::held) {
    // Acquired by another waiter while we looked at the refusal.
    ++holds_;
    lock.unlock();
    finish(w, {});
    return id;
  }
  waiters_.push_back(std::move(w));
  if (phase_ == phase::acquiring) return id;
  phase_ = phase::acquiring;
  rejoins_ = 0;
  create_node(lock);
  return id;
}

void lock_core::abandon(std::uint64_t id, std::error_code ec) {
  std::unique_lock lock{m_};
  const auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [id](const waiter& w) { return w.id == id; });
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

void lock_core::unlock() {
  std::unique_lock lock{m_};
  if (phase_ != phase::held || --holds_ > 0) return;
  phase_ = phase::idle;
  czxid_ = 0;
  const auto node = std::exchange(node_, {});
  lock.unlock();
  guaranteed_delete(zk_, node);
}

void lock_core::shut_down() {
  subscription_.unsubscribe();
  std::unique_lock lock{m_};
  listeners_.clear();
  refusal_ = nullptr;
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

bool lock_core::held() const {
  std::lock_guard lock{m_};
  return phase_ == phase::held;
}

std::int64_t lock_core::fencing_token() const {
  std::lock_guard lock{m_};
  return phase_ == phase::held ? czxid_ : 0;
}

std::string lock_core::held_node() const {
  std::lock_guard lock{m_};
  return phase_ == phase::held ? node_ : std::string{};
}

void lock_core::add_listener(std::function<void(session_state)> l) {
  std::lock_guard lock{m_};
  listeners_.push_back(std::move(l));
}

void lock_core::finish(waiter& w, std::error_code ec) {
  if (w.timer) w.timer->cancel();
  w.done(ec);
}

void lock_core::on_created(std::uint64_t g, std::error_code ec, created_node node) {
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

void lock_core::check(std::uint64_t g) {
  std::unique_lock lock{m_};
  if (g != generation_ || phase_ != phase::acquiring || node_.empty()) return;
  const std::string ours{node_name(node_)};
  lock.unlock();
  track_position(zk_, dir_, ours, shared_from_this(), g, options_.rule);
}

void lock_core::on_position(std::uint64_t g, std::error_code ec, const queue_position& pos) {
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
  if (pos.may_go) {
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

// Creates our contender node for a new generation; unlocks `lock`.
void lock_core::create_node(std::unique_lock<std::mutex>& lock) {
  const auto g = ++generation_;
  const auto prefix = protected_prefix(options_.node_name);
  lock.unlock();
  create_protected(zk_, dir_, prefix, options_.data,
                   [self = shared_from_this(), g](std::error_code ec, created_node node) {
                     self->on_created(g, ec, std::move(node));
                   });
}

// The acquisition failed: withdraw the node (if any) and tell every waiter.
void lock_core::fail(std::unique_lock<std::mutex>& lock, std::error_code ec) {
  phase_ = phase::idle;
  ++generation_;
  const auto node = std::exchange(node_, {});
  auto waiters = std::move(waiters_);
  waiters_.clear();
  lock.unlock();
  if (!node.empty()) guaranteed_delete(zk_, node);
  for (auto& w : waiters) finish(w, ec);
}

void lock_core::on_state(session_state s) {
  std::unique_lock lock{m_};
  if (phase_ == phase::acquiring) {
    // A watch may have been missed around the outage: look again (a gone
    // session shows up there as an error).
    const auto g = generation_;
    lock.unlock();
    if (s == session_state::reconnected || s == session_state::lost || s == session_state::closed ||
        s == session_state::connected)
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

void lock_core::revoke(const std::string& node, session_state s) {
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

}  // namespace zkpp::recipes::detail
