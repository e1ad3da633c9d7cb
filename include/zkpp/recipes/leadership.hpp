#pragma once

// What a leader_selector's callback is handed while it leads.

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/cancellation_type.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

namespace detail {
class leadership_state;
}

// Handed to the leader callback: whether leadership still holds, and three
// ways to learn that it ended (lost per revoke_on, or the selector closed):
// a blocking wait, a listener, and Asio cancellation.
class leadership {
 public:
  leadership(std::shared_ptr<detail::leadership_state> state, asio::any_io_executor ex);

  // True until leadership is lost, the selector closes or the callback returns.
  bool valid() const;
  bool is_leader() const { return valid(); }

  // Blocks until leadership ends and the on_lost listeners have run (true),
  // or the timeout passes (false).
  bool await_loss(std::chrono::milliseconds timeout) const;

  // Called once when leadership is lost while the callback runs (at once
  // when it already is), on the thread that notices: the client's strand or
  // the thread calling close(). It must not block.
  void on_lost(std::function<void()> listener);

  // The slot of a signal emitted (terminal) through asio::dispatch on `ex`
  // when leadership is lost. Asio's slots are not thread-safe: bind it only
  // to operations started on `ex` (e.g. from a coroutine running there), and
  // let them finish before the callback returns.
  asio::cancellation_slot cancellation_slot(const asio::any_io_executor& ex);

  // Completes with void(std::error_code) (no error) once leadership ends;
  // supports per-operation cancellation (operation_aborted), so a coroutine
  // can race it against its work: `co_await (work() || l.async_wait(use_awaitable))`.
  template <class Token>
  auto async_wait(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code)>(
        [this](auto handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          const auto id = wait(detail::completion<std::error_code>{std::move(handler), ex_});
          if (slot.is_connected())
            slot.assign([state = std::weak_ptr{state_}, id](asio::cancellation_type) {
              cancel_wait(state, id);
            });
        },
        token);
  }

 private:
  std::uint64_t wait(detail::completion<std::error_code> done);
  static void cancel_wait(const std::weak_ptr<detail::leadership_state>& state, std::uint64_t id);

  std::shared_ptr<detail::leadership_state> state_;
  asio::any_io_executor ex_;
};

}  // namespace zkpp::recipes
