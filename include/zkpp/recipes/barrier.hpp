#pragma once

// A barrier with Apache Curator's DistributedBarrier layout: while the
// barrier node exists, waiters wait; removing it lets them all go.

#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/bounded_wait.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

// Waiting watches the node with exists (no polling) and looks again after
// every reconnection; every operation carries on through connection loss.
//
// The client must outlive the barrier. Blocking calls must not be made from
// the client's own callbacks.
class barrier {
 public:
  barrier(client& zk, std::string path);

  // Creates the barrier node (missing ancestors become containers); it is
  // not an error when it exists already.
  void set_barrier();
  // Deletes the barrier node, letting every waiter go; not an error when it is gone.
  void remove_barrier();
  // Blocks until the barrier node is gone; false when the timeout passes first.
  bool wait_on_barrier(std::chrono::milliseconds timeout);
  void wait_on_barrier();

  // Complete with void(std::error_code).
  template <class Token>
  auto async_set_barrier(Token&& token) {
    return detail::async_run<>(zk_.get_executor(), std::forward<Token>(token),
                               [this](auto done) { set_barrier(std::move(done)); });
  }
  template <class Token>
  auto async_remove_barrier(Token&& token) {
    return detail::async_run<>(zk_.get_executor(), std::forward<Token>(token),
                               [this](auto done) { remove_barrier(std::move(done)); });
  }
  // Completes once the barrier node is gone; per-operation cancellation ends
  // it with asio::error::operation_aborted.
  template <class Token>
  auto async_wait_on_barrier(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code)>(
        [this](auto handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          auto wait = wait_on_barrier(
              detail::completion<std::error_code>{std::move(handler), zk_.get_executor()},
              std::nullopt);
          detail::bounded_wait::cancel_on(slot, wait);
        },
        token);
  }

  const std::string& path() const noexcept { return path_; }

 private:
  void set_barrier(detail::completion<std::error_code> done);
  void remove_barrier(detail::completion<std::error_code> done);
  std::weak_ptr<detail::bounded_wait> wait_on_barrier(detail::completion<std::error_code> done,
                                                      detail::deadline until);

  client& zk_;
  std::string path_;
};

}  // namespace zkpp::recipes
