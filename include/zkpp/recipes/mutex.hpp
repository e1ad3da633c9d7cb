#pragma once

// A distributed, reentrant mutex with Apache Curator's InterProcessMutex
// protocol: zkpp, Curator and kazoo contenders on one path exclude each other.

#include <asio/async_result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"
#include "zkpp/recipes/detail/lock_handle.hpp"
#include "zkpp/recipes/revoke_policy.hpp"

namespace zkpp::recipes {

struct mutex_options {
  // When a held lock is revoked (see revoke_policy.hpp).
  revoke_on revoke = revoke_on::suspended;
  // Data of the lock node (Curator stores the holder's address).
  std::string data{};
};

// Acquiring creates an ephemeral-sequential child `_c_<uuid>-lock-<seq>` of
// the lock path (missing parents become containers) and waits, watching only
// its predecessor, until it has the lowest sequence of all children. The
// mutex object is the owner: locking it again while held only counts up.
//
// Ownership is revoked when the session state says so (mutex_options::revoke):
// is_held() turns false, the node is deleted (retried through connection
// loss), and the revocation listeners are told; a later unlock() is a no-op.
//
// The client must outlive the mutex. Blocking calls (lock, try_lock_for)
// must not be made from the client's own callbacks.
class mutex {
 public:
  mutex(client& zk, std::string path, mutex_options options = {});
  // Releases the lock if held and abandons a pending acquisition.
  ~mutex() = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  // Acquires the lock; completes with void(std::error_code). Supports
  // per-operation cancellation (completing with asio::error::operation_aborted
  // after the node is withdrawn).
  template <class Token>
  auto async_lock(Token&& token) {
    return side_.async_lock(std::nullopt, std::forward<Token>(token));
  }
  // async_lock with a deadline: error::operation_timeout (node withdrawn)
  // when the lock is not acquired within `timeout`.
  template <class Rep, class Period, class Token>
  auto async_lock_for(std::chrono::duration<Rep, Period> timeout, Token&& token) {
    return side_.async_lock(detail::deadline_after(timeout), std::forward<Token>(token));
  }

  // BasicLockable / TimedLockable (std::unique_lock, std::scoped_lock).
  // lock() and try_lock_for() throw std::system_error when the acquisition
  // fails for another reason than the deadline (e.g. session_expired).
  void lock() { side_.acquire(std::nullopt, true); }
  bool try_lock() { return side_.acquire(std::nullopt, false); }  // one look: nobody holds or waits
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) {
    return side_.acquire(detail::deadline_after(timeout), true);
  }
  template <class Duration>
  bool try_lock_until(std::chrono::time_point<std::chrono::steady_clock, Duration> deadline) {
    return side_.acquire(detail::deadline_at(deadline), true);
  }
  // Counts one hold down; the last one deletes the lock node (a "guaranteed
  // delete": retried through connection loss). No-op when not held.
  void unlock() { side_.unlock(); }

  bool is_held() const { return side_.held(); }
  // The lock node's czxid while held (0 otherwise): strictly increasing
  // across acquisitions of this lock path in the ensemble.
  std::int64_t fencing_token() const { return side_.fencing_token(); }
  // The full path of our lock node while held; empty otherwise.
  std::string lock_node() const { return side_.node(); }
  const std::string& path() const noexcept { return path_; }

  // Told (with the state that caused it) when a held lock is revoked.
  void on_revoked(std::function<void(session_state)> listener) {
    side_.on_revoked(std::move(listener));
  }

  // A multi whose first op checks our lock node, so the writes land only while
  // the lock is held. Completes with void(std::error_code, multi_result), the
  // results aligned with `ops`; no_node when the lock is not (or no longer) held.
  template <class Token>
  auto async_guarded_multi(std::vector<multi_op> ops, Token&& token) {
    return asio::async_initiate<Token, void(std::error_code, multi_result)>(
        [this](auto handler, std::vector<multi_op> ops) {
          guarded_multi(std::move(ops), detail::completion<std::error_code, multi_result>{
                                            std::move(handler), zk_.get_executor()});
        },
        token, std::move(ops));
  }

 private:
  void guarded_multi(std::vector<multi_op> ops,
                     detail::completion<std::error_code, multi_result> done);

  client& zk_;
  std::string path_;
  detail::lock_handle side_;
};

}  // namespace zkpp::recipes
