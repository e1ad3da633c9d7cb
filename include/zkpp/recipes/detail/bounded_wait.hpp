#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/error.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

using deadline = std::optional<std::chrono::steady_clock::time_point>;

// A recipe's wait that completes once: when the recipe finishes it, at its
// deadline (operation_timeout) or when cancelled (operation_aborted). On a
// deadline or cancellation `on_give_up` runs first (e.g. to withdraw a node).
class bounded_wait : public std::enable_shared_from_this<bounded_wait> {
 public:
  bounded_wait(completion<std::error_code> done, std::function<void()> on_give_up)
      : done_(std::move(done)), on_give_up_(std::move(on_give_up)) {}

  static std::shared_ptr<bounded_wait> make(client& zk, completion<std::error_code> done,
                                            deadline until, std::function<void()> on_give_up) {
    auto self = std::make_shared<bounded_wait>(std::move(done), std::move(on_give_up));
    if (until) {
      self->timer_ = std::make_shared<asio::steady_timer>(zk.get_executor(), *until);
      self->timer_->async_wait([weak = self->weak_from_this()](std::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->give_up(error::operation_timeout);
      });
    }
    return self;
  }

  // Keeps `work` (what drives the wait, which holds the wait in turn) alive
  // until the wait ends.
  void hold(std::shared_ptr<void> work) {
    std::lock_guard lock{m_};
    if (done_) held_ = std::move(work);
  }

  // Ends the wait with `ec` unless it has ended already; true if this call ended it.
  bool finish(std::error_code ec) {
    std::unique_lock lock{m_};
    if (!done_) return false;
    auto done = std::exchange(done_, {});
    auto timer = std::move(timer_);
    auto held = std::move(held_);
    lock.unlock();
    if (timer) timer->cancel();
    done(ec);
    return true;
  }

  bool finished() const {
    std::lock_guard lock{m_};
    return !done_;
  }

  void give_up(std::error_code ec) {
    std::unique_lock lock{m_};
    if (!done_) return;
    auto done = std::exchange(done_, {});
    auto timer = std::move(timer_);
    auto held = std::move(held_);
    lock.unlock();
    if (timer) timer->cancel();
    if (on_give_up_) on_give_up_();
    done(ec);
  }

  // Cancelling `slot` (when connected) gives up with operation_aborted.
  template <class Slot>
  static void cancel_on(Slot& slot, const std::weak_ptr<bounded_wait>& wait) {
    if (slot.is_connected())
      slot.assign([wait](asio::cancellation_type) {
        if (auto self = wait.lock()) self->give_up(asio::error::operation_aborted);
      });
  }

 private:
  mutable std::mutex m_;
  completion<std::error_code> done_;
  std::function<void()> on_give_up_;
  std::shared_ptr<asio::steady_timer> timer_;
  std::shared_ptr<void> held_;
};

}  // namespace zkpp::recipes::detail
