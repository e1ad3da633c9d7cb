#pragma once

// A distributed read-write lock with Apache Curator's
// InterProcessReadWriteLock protocol: zkpp and Curator readers and writers
// on one path share and exclude each other.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/lock_handle.hpp"
#include "zkpp/recipes/revoke_policy.hpp"

namespace zkpp::recipes {

struct shared_mutex_options {
  // When a held side is revoked (see revoke_policy.hpp).
  revoke_on revoke = revoke_on::suspended;
  // Data of the lock nodes.
  std::string data{};
};

// Both sides queue as ephemeral-sequential children of the lock path,
// `_c_<uuid>-__WRIT__<seq>` and `_c_<uuid>-__READ__<seq>` (missing parents
// become containers), in one order. A writer goes when its node is the
// lowest and watches its predecessor; a reader goes when no writer node is
// before it and watches the first writer node otherwise. So a waiting
// writer keeps later readers out (writers do not starve).
//
// lock()/unlock() take the write side, lock_shared()/unlock_shared() the
// read side, so std::unique_lock and std::shared_lock work. The object is
// the owner; each side counts its own holds. A writer may also take the read
// side (granted at once while the write side is held, as in Curator); taking
// the write side while holding only the read side could never succeed and
// fails at once with std::errc::resource_deadlock_would_occur.
//
// Held sides are revoked per shared_mutex_options::revoke, as for mutex
// (is_held()/is_held_shared() turn false, the node is deleted, the listeners
// are told). The client must outlive the object; blocking calls must not be
// made from the client's own callbacks.
class shared_mutex {
 public:
  shared_mutex(client& zk, std::string path, shared_mutex_options options = {});
  // Releases both sides if held and abandons pending acquisitions.
  ~shared_mutex() = default;
  shared_mutex(const shared_mutex&) = delete;
  shared_mutex& operator=(const shared_mutex&) = delete;

  // The write side. async_lock completes with void(std::error_code) and
  // supports per-operation cancellation (operation_aborted after the node is
  // withdrawn); lock() and try_lock_for() throw std::system_error when the
  // acquisition fails for another reason than the deadline.
  template <class Token>
  auto async_lock(Token&& token) {
    return write_.async_lock(std::nullopt, std::forward<Token>(token));
  }
  // With a deadline: error::operation_timeout (node withdrawn) on expiry.
  template <class Rep, class Period, class Token>
  auto async_lock_for(std::chrono::duration<Rep, Period> timeout, Token&& token) {
    return write_.async_lock(detail::deadline_after(timeout), std::forward<Token>(token));
  }
  void lock() { write_.acquire(std::nullopt, true); }
  bool try_lock() { return write_.acquire(std::nullopt, false); }  // one look
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) {
    return write_.acquire(detail::deadline_after(timeout), true);
  }
  template <class Duration>
  bool try_lock_until(std::chrono::time_point<std::chrono::steady_clock, Duration> deadline) {
    return write_.acquire(detail::deadline_at(deadline), true);
  }
  // Counts one hold down; the last deletes the node (guaranteed delete).
  void unlock() { write_.unlock(); }

  // The read side, alike.
  template <class Token>
  auto async_lock_shared(Token&& token) {
    return read_.async_lock(std::nullopt, std::forward<Token>(token));
  }
  template <class Rep, class Period, class Token>
  auto async_lock_shared_for(std::chrono::duration<Rep, Period> timeout, Token&& token) {
    return read_.async_lock(detail::deadline_after(timeout), std::forward<Token>(token));
  }
  void lock_shared() { read_.acquire(std::nullopt, true); }
  bool try_lock_shared() { return read_.acquire(std::nullopt, false); }  // one look
  template <class Rep, class Period>
  bool try_lock_shared_for(std::chrono::duration<Rep, Period> timeout) {
    return read_.acquire(detail::deadline_after(timeout), true);
  }
  template <class Duration>
  bool try_lock_shared_until(
      std::chrono::time_point<std::chrono::steady_clock, Duration> deadline) {
    return read_.acquire(detail::deadline_at(deadline), true);
  }
  void unlock_shared() { read_.unlock(); }

  bool is_held() const { return write_.held(); }
  bool is_held_shared() const { return read_.held(); }
  // The write node's czxid while the write side is held (0 otherwise):
  // strictly increasing across writers of this lock path.
  std::int64_t fencing_token() const { return write_.fencing_token(); }
  // Full paths of our nodes while held; empty otherwise.
  std::string lock_node() const { return write_.node(); }
  std::string lock_node_shared() const { return read_.node(); }
  const std::string& path() const noexcept { return path_; }

  // Told (with the state that caused it) when the held write or read side is revoked.
  void on_revoked(std::function<void(session_state)> listener) {
    write_.on_revoked(std::move(listener));
  }
  void on_revoked_shared(std::function<void(session_state)> listener) {
    read_.on_revoked(std::move(listener));
  }

 private:
  std::string path_;
  detail::lock_handle write_;
  detail::lock_handle read_;
};

}  // namespace zkpp::recipes
