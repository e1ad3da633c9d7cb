#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/cancellation_signal.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

// One turn of leadership, shared by the selector and the callback's
// `leadership`; any thread may call in. Guarded by `m`, which is never held
// while calling a listener or completing a wait.
class leadership_state {
 public:
  bool valid() const;
  bool await_end(std::chrono::milliseconds timeout) const;
  void on_lost(std::function<void()> listener);
  asio::cancellation_slot add_signal(const asio::any_io_executor& ex);
  std::uint64_t wait(completion<std::error_code> done);
  void cancel_wait(std::uint64_t id);

  // Leadership is lost while the callback may run: tells the listeners,
  // emits the signals and completes the waits.
  void lose();
  // The callback returned: completes the waits only (nobody is left to stop).
  void finish();

 private:
  struct signal_on {
    std::shared_ptr<asio::cancellation_signal> signal;
    asio::any_io_executor ex;
  };

  static void emit(const signal_on& s);
  void end(bool lost);

  mutable std::mutex m_;
  mutable std::condition_variable cv_;
  bool ended_ = false;
  bool told_ = false;  // ended, and the listeners have run: blocking waits return
  std::uint64_t next_wait_ = 0;
  std::vector<std::function<void()>> listeners_;
  std::vector<signal_on> signals_;
  std::vector<std::pair<std::uint64_t, completion<std::error_code>>> waits_;
};

}  // namespace zkpp::recipes::detail
