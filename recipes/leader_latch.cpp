#include "zkpp/recipes/leader_latch.hpp"

#include <asio/error.hpp>

#include <condition_variable>
#include <mutex>

#include "zkpp/recipes/detail/node_names.hpp"
#include "zkpp/recipes/detail/participants.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

// The state of one latch, shared with the callbacks in flight; guarded by
// `m`, which is never held while calling the client, a handler or a listener.
class latch_core : public std::enable_shared_from_this<latch_core> {
 public:
  latch_core(client& zk, std::string dir, std::string id, leader_latch_options options)
      : zk_(zk), dir_(std::move(dir)), id_(std::move(id)), options_(options) {}

  void subscribe() {
    subscription_ = zk_.on_state([weak = weak_from_this()](session_state s) {
      if (auto self = weak.lock()) self->on_state(s);
    });
  }

  void start() {
    std::unique_lock lock{m_};
    if (started_ || closed_) return;
    started_ = true;
    lock.unlock();
    join();
  }

  void close() {
    std::unique_lock lock{m_};
    if (closed_) return;
    closed_ = true;
    ++generation_;
    const auto node = std::exchange(node_, {});
    auto waiters = std::move(waiters_);
    waiters_.clear();
    lock.unlock();
    subscription_.unsubscribe();
    set_leader(false);
    if (!node.empty()) guaranteed_delete(zk_, node);
    for (auto& w : waiters) w(asio::error::operation_aborted);
  }

  bool leader() const {
    std::lock_guard lock{m_};
    return leader_;
  }

  bool await(std::chrono::milliseconds timeout) {
    std::unique_lock lock{m_};
    return cv_.wait_for(lock, timeout, [&] { return leader_ || closed_; }) && leader_;
  }

  void await(completion<std::error_code> done) {
    std::unique_lock lock{m_};
    if (closed_) {
      lock.unlock();
      return done(asio::error::operation_aborted);
    }
    if (leader_) {
      lock.unlock();
      return done({});
    }
    waiters_.push_back(std::move(done));
  }

  void add_listener(leader_latch_listener l) {
    std::lock_guard lock{m_};
    listeners_.push_back(std::move(l));
  }

 private:
  // Creates a fresh node (the first time, or after ours went with a session).
  void join() {
    std::unique_lock lock{m_};
    if (closed_) return;
    const auto g = ++generation_;
    joining_ = true;
    lock.unlock();
    create_protected(zk_, dir_, protected_prefix("latch-"), id_,
                     [self = shared_from_this(), g](std::error_code ec, created_node node) {
                       self->on_created(g, ec, std::move(node));
                     });
  }

  void on_created(std::uint64_t g, std::error_code ec, created_node node) {
    std::unique_lock lock{m_};
    if (g != generation_ || closed_) {
      lock.unlock();
      if (!ec) guaranteed_delete(zk_, node.path);
      return;
    }
    joining_ = false;
    if (ec) return;  // the session is over; a new session joins again (on_state)
    node_ = std::move(node.path);
    lock.unlock();
    check(g);
  }

 public:  // called back through track_position
  void check(std::uint64_t g) {
    std::unique_lock lock{m_};
    if (g != generation_ || closed_ || node_.empty()) return;
    const std::string ours{node_name(node_)};
    lock.unlock();
    track_position(zk_, dir_, ours, shared_from_this(), g);
  }

  void on_position(std::uint64_t g, std::error_code ec, const queue_position& pos) {
    std::unique_lock lock{m_};
    if (g != generation_ || closed_) return;
    if (ec == error::no_node) {
      // Our node is gone (expired session, or deleted by someone): join again.
      node_.clear();
      lock.unlock();
      set_leader(false);
      return join();
    }
    lock.unlock();
    set_leader(!ec && pos.may_go);
  }

 private:
  void on_state(session_state s) {
    std::unique_lock lock{m_};
    if (s == session_state::suspended || s == session_state::read_only) connected_ = false;
    if (s == session_state::connected || s == session_state::reconnected) connected_ = true;
    const bool active = started_ && !closed_;
    const bool rejoin = node_.empty() && !joining_;
    const auto g = generation_;
    lock.unlock();
    if (revokes(options_.revoke, s)) set_leader(false);
    if (!active) return;
    if (s == session_state::connected || s == session_state::reconnected) {
      if (rejoin) return join();
      check(g);  // a watch may have been missed around the outage
    }
  }

  void set_leader(bool leader) {
    std::unique_lock lock{m_};
    // While suspended (under the suspended policy) a stale answer must not crown us.
    if (leader && (closed_ || (!connected_ && options_.revoke == revoke_on::suspended))) return;
    if (leader_ == leader) return;
    leader_ = leader;
    const auto listeners = listeners_;
    std::vector<completion<std::error_code>> waiters;
    if (leader) waiters = std::exchange(waiters_, {});
    lock.unlock();
    cv_.notify_all();
    for (const auto& l : listeners) {
      const auto& f = leader ? l.is_leader : l.not_leader;
      if (f) f();
    }
    for (auto& w : waiters) w({});
  }

  client& zk_;
  const std::string dir_;
  const std::string id_;
  const leader_latch_options options_;
  state_subscription subscription_;  // set by subscribe(), before any sharing
  mutable std::mutex m_;
  std::condition_variable cv_;
  bool started_ = false;
  bool closed_ = false;
  bool joining_ = false;
  bool connected_ = true;
  bool leader_ = false;
  std::uint64_t generation_ = 0;
  std::string node_;
  std::vector<completion<std::error_code>> waiters_;
  std::vector<leader_latch_listener> listeners_;
};

}  // namespace detail

leader_latch::leader_latch(client& zk, std::string path, std::string id,
                           leader_latch_options options)
    : zk_(zk),
      path_(std::move(path)),
      id_(std::move(id)),
      core_(std::make_shared<detail::latch_core>(zk, path_, id_, options)) {
  core_->subscribe();
}

leader_latch::~leader_latch() {
  core_->close();
}

void leader_latch::start() {
  core_->start();
}

void leader_latch::close() {
  core_->close();
}

bool leader_latch::has_leadership() const {
  return core_->leader();
}

bool leader_latch::await_leadership(std::chrono::milliseconds timeout) {
  if (zk_.running_in_this_thread())
    throw std::system_error(error::would_block_on_strand, "zkpp::recipes::leader_latch " + path_);
  return core_->await(timeout);
}

void leader_latch::await_leadership(detail::completion<std::error_code> done) {
  core_->await(std::move(done));
}

void leader_latch::add_listener(leader_latch_listener listener) {
  core_->add_listener(std::move(listener));
}

participants_view leader_latch::participants() const {
  return detail::read_participants(zk_, path_, "zkpp::recipes::leader_latch");
}

}  // namespace zkpp::recipes
