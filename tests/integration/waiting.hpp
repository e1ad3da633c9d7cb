#pragma once

// Deadline-bound waits for integration tests: a stuck wait fails the test
// with a message saying what it waited for, never hangs it.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
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
// Copies share one queue, so a watcher or listener can hold a copy that
// stays valid however the test's own copy goes out of scope.
template <class T>
class recorder {
 public:
  void push(T v) const {
    // Notified under the lock: once next() has the value, push is done with us.
    std::lock_guard lock{state_->mutex};
    state_->items.push_back(std::move(v));
    state_->cv.notify_all();
  }

  // The next value, or a test failure naming `what` after the deadline.
  T next(const std::string& what, std::chrono::milliseconds deadline = default_deadline) const {
    std::unique_lock lock{state_->mutex};
    if (!state_->cv.wait_for(lock, deadline, [&] { return !state_->items.empty(); }))
      throw std::runtime_error("timed out after " + std::to_string(deadline.count()) +
                               " ms waiting for " + what);
    T v = std::move(state_->items.front());
    state_->items.pop_front();
    return v;
  }

  // Skips values until one satisfying `pred` arrives and returns it; fails
  // the test naming `what` when the deadline (for the whole wait) passes first.
  template <class Pred>
  T next_matching(Pred pred, const std::string& what,
                  std::chrono::milliseconds deadline = default_deadline) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::unique_lock lock{state_->mutex};
    for (;;) {
      if (!state_->cv.wait_until(lock, until, [&] { return !state_->items.empty(); }))
        throw std::runtime_error("timed out after " + std::to_string(deadline.count()) +
                                 " ms waiting for " + what);
      T v = std::move(state_->items.front());
      state_->items.pop_front();
      if (pred(v)) return v;
    }
  }

  // Skips values until one equal to `wanted` arrives.
  void skip_until(const T& wanted, const std::string& what,
                  std::chrono::milliseconds deadline = default_deadline) const {
    next_matching([&](const T& v) { return v == wanted; }, what, deadline);
  }

  std::size_t size() const {
    std::lock_guard lock{state_->mutex};
    return state_->items.size();
  }

  // A callable that pushes into this recorder (by copy, so it outlives the test's scope).
  auto pusher() const {
    return [r = *this](auto v) { r.push(std::move(v)); };
  }

 private:
  struct shared_state {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<T> items;
  };
  std::shared_ptr<shared_state> state_ = std::make_shared<shared_state>();
};

using event_recorder = recorder<watch_event>;

// The next line containing `part`, skipping the others; fails the test naming
// `what` when the deadline (for the whole wait) passes first.
inline std::string next_line_containing(const recorder<std::string>& lines, const std::string& part,
                                        const std::string& what,
                                        std::chrono::milliseconds deadline = default_deadline) {
  return lines.next_matching(
      [&](const std::string& line) { return line.find(part) != std::string::npos; },
      what + " containing '" + part + "'", deadline);
}

// A watcher that records into `r`.
inline auto record_into(const event_recorder& r) {
  return [r](const watch_event& e) { r.push(e); };
}

}  // namespace zkpp::test
