#pragma once

#include <atomic>
#include <cstdint>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace zkpp::detail {

// Set once by one thread, awaited once by another, which may destroy it as
// soon as wait() returns. A blocking call waits on one of these for its reply.
//
// On Linux it is a futex: set() costs one wake and only when the waiter
// sleeps, and wait() one sleep. A mutex and condition variable cost five
// futex calls per call, because the setter must notify under the lock (the
// waiter may destroy the condition variable as soon as the lock is free) and
// the woken waiter then blocks on that lock.
class completion_event {
 public:
  void set() noexcept {
#if defined(__linux__)
    // Once the state is `done` the waiter may return and free this object;
    // the wake takes the address only as a key and touches no memory there.
    auto* const key = &state_;
    if (state_.exchange(done, std::memory_order_acq_rel) == sleeping) futex_wake(key);
#else
    std::lock_guard lock{mutex_};
    set_ = true;
    ready_.notify_one();
#endif
  }

  void wait() noexcept {
#if defined(__linux__)
    auto expected = idle;
    if (!state_.compare_exchange_strong(expected, sleeping, std::memory_order_acquire))
      return;  // already done
    while (state_.load(std::memory_order_acquire) != done) futex_wait(&state_, sleeping);
#else
    std::unique_lock lock{mutex_};
    ready_.wait(lock, [this] { return set_; });
#endif
  }

 private:
#if defined(__linux__)
  static constexpr std::uint32_t idle = 0;
  static constexpr std::uint32_t sleeping = 1;
  static constexpr std::uint32_t done = 2;

  static void futex_wake(std::atomic<std::uint32_t>* key) noexcept {
    ::syscall(SYS_futex, key, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
  // Returns at once unless the state is still `value`; may return spuriously.
  static void futex_wait(std::atomic<std::uint32_t>* key, std::uint32_t value) noexcept {
    ::syscall(SYS_futex, key, FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
  }

  std::atomic<std::uint32_t> state_{idle};
#else
  std::mutex mutex_;
  std::condition_variable ready_;
  bool set_ = false;
#endif
};

}  // namespace zkpp::detail
