#pragma once

#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"
#include "zkpp/recipes/revoke_policy.hpp"

namespace zkpp::recipes::detail {

struct lock_core_options {
  std::string node_name;  // Curator's lock name: "lock-", "__WRIT__", "__READ__"
  wait_rule rule = first_goes;
  revoke_on revoke = revoke_on::suspended;
  std::string data{};
};

// The state of one lockable (a mutex, one side of a shared_mutex, a
// semaphore's internal lock), shared with the callbacks in flight: a
// protected ephemeral-sequential node in `dir`, held once `rule` lets it go.
// Any thread may call in, so everything is guarded by `m_`, and nothing calls
// the client, a handler or a listener while holding it.
class lock_core : public std::enable_shared_from_this<lock_core> {
  using clock = std::chrono::steady_clock;

 public:
  lock_core(client& zk, std::string dir, lock_core_options options);

  void subscribe();

  // A reason to refuse a new acquisition (e.g. it could never succeed); the
  // acquisition then fails with that error. Set before use.
  void refuse_when(std::function<std::error_code()> reason);

  // Counts up when held; else queues `done` (given up at `until`, or unless
  // `wait` at the first look that does not let us go). Returns the waiter's id.
  std::uint64_t start(completion<std::error_code> done, std::optional<clock::time_point> until,
                      bool wait);
  // A waiter gives up (deadline, cancellation); the last one withdraws the node.
  void abandon(std::uint64_t id, std::error_code ec);
  void unlock();
  // The owning object is going away.
  void shut_down();

  bool held() const;
  std::int64_t fencing_token() const;
  std::string held_node() const;
  void add_listener(std::function<void(session_state)> l);

  // Called back through track_position.
  void check(std::uint64_t g);
  void on_position(std::uint64_t g, std::error_code ec, const queue_position& pos);

 private:
  enum class phase { idle, acquiring, held };
  struct waiter {
    std::uint64_t id = 0;
    completion<std::error_code> done;
    bool wait = true;  // false: try_lock, give up unless we may go at once
    std::shared_ptr<asio::steady_timer> timer;
  };

  static void finish(waiter& w, std::error_code ec);
  void on_created(std::uint64_t g, std::error_code ec, created_node node);
  void create_node(std::unique_lock<std::mutex>& lock);
  void fail(std::unique_lock<std::mutex>& lock, std::error_code ec);
  void on_state(session_state s);
  void revoke(const std::string& node, session_state s);

  client& zk_;
  const std::string dir_;
  const lock_core_options options_;
  std::function<std::error_code()> refusal_;
  state_subscription subscription_;  // set by subscribe(), before any sharing
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

}  // namespace zkpp::recipes::detail
