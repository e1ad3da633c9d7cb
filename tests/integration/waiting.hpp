#pragma once

// Deadline-bound waits for integration tests: a stuck wait fails the test
// with a message saying what it waited for, never hangs it.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>

#include "zkpp/types.hpp"

namespace zkpp::test {

inline constexpr std::chrono::seconds default_deadline{20};

// The future's value; throws (failing the test) when it is not ready in time.
template <class T>
T await(std::future<T> f, const std::string& what,
        std::chrono::milliseconds deadline = default_deadline) {
  if (f.wait_for(deadline) != std::future_status::ready)
    throw std::runtime_error("timed out after " + std::to_string(deadline.count()) +
                             " ms waiting for " + what);
  return f.get();
}

// Collects values handed over from the client's thread; waits with deadlines.
template <class T>
class recorder {
 public:
  void push(T v) {
    {
      std::lock_guard lock{mutex_};
      items_.push_back(std::move(v));
    }
    cv_.notify_all();
  }

  // The next value, or a test failure naming `what` after the deadline.
  T next(const std::string& what, std::chrono::milliseconds deadline = default_deadline) {
    std::unique_lock lock{mutex_};
    if (!cv_.wait_for(lock, deadline, [&] { return !items_.empty(); }))
      throw std::runtime_error("timed out after " + std::to_string(deadline.count()) +
                               " ms waiting for " + what);
    T v = std::move(items_.front());
    items_.pop_front();
    return v;
  }

  std::size_t size() const {
    std::lock_guard lock{mutex_};
    return items_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

using event_recorder = recorder<watch_event>;

// A watcher that records into `r`.
inline auto record_into(event_recorder& r) {
  return [&r](const watch_event& e) { r.push(e); };
}

}  // namespace zkpp::test
