#pragma once

// A distributed FIFO queue with Apache Curator's DistributedQueue layout:
// each item is a persistent-sequential child `queue-<seq>` of the queue node
// whose data is the item's bytes, stored and returned as they are. Curator
// frames its items (one or several per node): curator_queue_items.hpp
// encodes and decodes that framing, to share a queue with Curator.

#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/bind_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

namespace detail {
class queue_core;
struct claim_state;
}  // namespace detail

struct queue_options {
  // Where consumers in claim mode put their ephemeral markers, one named
  // after each item they hold (Curator's QueueBuilder.lockPath layout);
  // empty: `<queue path>-locks`.
  std::string lock_path{};
};

// An item held by one consumer in claim mode: nobody else takes it while the
// claim's ephemeral marker exists. complete() removes the item and the
// marker together; release() (or destruction) gives the item back; if the
// consumer's session ends first, the marker goes with it and another
// consumer takes the item.
class queue_claim {
 public:
  queue_claim() = default;
  explicit queue_claim(std::shared_ptr<detail::claim_state> state);
  ~queue_claim();  // release(), unless done or the client is gone
  queue_claim(queue_claim&&) noexcept = default;
  queue_claim& operator=(queue_claim&& other) noexcept;

  explicit operator bool() const noexcept { return state_ != nullptr; }
  const std::string& name() const;  // the item node's name, queue-<seq>
  const std::string& data() const;

  // Removes the item and the marker in one transaction. Fails with
  // session_expired when the claim was lost before (the marker went with
  // the session: another consumer may take the item too).
  void complete();
  // Deletes the marker only: the item stays first in line for others.
  void release();

  // Complete with void(std::error_code).
  template <class Token>
  auto async_complete(Token&& token);

 private:
  asio::any_io_executor executor() const;
  void complete(detail::completion<std::error_code> done);
  std::shared_ptr<detail::claim_state> state_;
};

// Consumers wait on child watches (no polling) and look again after every
// reconnection; many consumers and producers may share a queue, each in its
// own session or not.
//
// Delivery guarantees. Plain mode (take) reads the lowest item and deletes
// it with its version: every item goes to at most one consumer, and exactly
// once as long as no delete's reply is lost. When a delete's reply is lost
// and the item is then found gone, nothing tells whether our delete or
// another consumer's removed it; take counts it as taken by the other and
// moves on (at most once: the item is lost if the delete was ours). Claim
// mode (claim, take_with) is at least once: the item is removed only after
// it was processed, so a consumer that dies mid-item leaves it to others,
// who may then process it a second time.
//
// All consumers of one queue use the same mode. put after a lost reply
// fails with connection_loss: the item may or may not have been added (a
// sequential create cannot be safely repeated).
//
// The client must outlive the queue and its claims. Blocking calls must not
// be made from the client's own callbacks.
class distributed_queue {
 public:
  distributed_queue(client& zk, std::string path, queue_options options = {});
  ~distributed_queue();  // pending takes complete with operation_aborted
  distributed_queue(const distributed_queue&) = delete;
  distributed_queue& operator=(const distributed_queue&) = delete;

  // Adds an item (the queue node and its missing ancestors are created as
  // containers); returns the item's path.
  std::string put(const std::string& data);

  // The first item's data, removed from the queue; nullopt when the
  // timeout passes with the queue empty.
  std::optional<std::string> take(std::chrono::milliseconds timeout);
  std::string take();

  // Claims the first unclaimed item; nullopt when the timeout passes first.
  std::optional<queue_claim> claim(std::chrono::milliseconds timeout);
  // Claims the first item, runs `processor` on its data and then removes it;
  // when `processor` throws, the item is given back and the exception passed
  // on. False when the timeout passes with nothing to take.
  bool take_with(const std::function<void(const std::string&)>& processor,
                 std::chrono::milliseconds timeout);

  // Completes with void(std::error_code, std::string path).
  template <class Token>
  auto async_put(std::string data, Token&& token) {
    return detail::async_run<std::string>(
        zk_.get_executor(), std::forward<Token>(token),
        [this, data = std::move(data)](auto done) { put(data, std::move(done)); });
  }
  // Completes with void(std::error_code, std::string data) once an item is
  // taken; per-operation cancellation ends the wait with
  // asio::error::operation_aborted (an item whose delete is in flight is
  // still delivered).
  template <class Token>
  auto async_take(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code, std::string)>(
        [this](auto handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          auto cancel = take(detail::completion<std::error_code, std::string>{std::move(handler),
                                                                              zk_.get_executor()},
                             std::nullopt);
          if (slot.is_connected()) slot.assign([cancel](asio::cancellation_type) { cancel(); });
        },
        token);
  }
  // Completes with void(std::error_code, queue_claim); cancellable like async_take.
  template <class Token>
  auto async_claim(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code, queue_claim)>(
        [this](auto handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          const auto ex = asio::get_associated_executor(handler, zk_.get_executor());
          auto cancel = claim(
              detail::completion<std::error_code, std::shared_ptr<detail::claim_state>>{
                  asio::bind_executor(
                      ex,
                      [h = std::move(handler)](std::error_code ec,
                                               std::shared_ptr<detail::claim_state> s) mutable {
                        std::move(h)(ec, queue_claim{std::move(s)});
                      }),
                  zk_.get_executor()},
              std::nullopt);
          if (slot.is_connected()) slot.assign([cancel](asio::cancellation_type) { cancel(); });
        },
        token);
  }

  const std::string& path() const noexcept { return path_; }

 private:
  using deadline = std::optional<std::chrono::steady_clock::time_point>;
  void put(const std::string& data, detail::completion<std::error_code, std::string> done);
  // Each returns what cancels the wait.
  std::function<void()> take(detail::completion<std::error_code, std::string> done, deadline until);
  std::function<void()> claim(
      detail::completion<std::error_code, std::shared_ptr<detail::claim_state>> done,
      deadline until);

  client& zk_;
  std::string path_;
  std::shared_ptr<detail::queue_core> core_;
};

template <class Token>
auto queue_claim::async_complete(Token&& token) {
  return detail::async_run<>(executor(), std::forward<Token>(token),
                             [this](auto done) { complete(std::move(done)); });
}

}  // namespace zkpp::recipes
