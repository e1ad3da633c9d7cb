#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/prefer.hpp>

#include "zkpp/detail/request.hpp"
#include "zkpp/detail/run_or_dispatch.hpp"

namespace zkpp::detail {

// Turns a reply body into the operation's result type; defined for every
// result type in client/reply_decoders.cpp. Sets `ec` when the bytes are
// malformed or when the reply means failure.
template <class T>
T decode_reply(std::string_view body, std::error_code& ec, const reply_context& ctx);

// Holds a completion handler until its reply arrives, keeps the handler's
// executor from running out of work meanwhile, and completes it there.
template <class T, class Handler, class DefaultExecutor>
class typed_reply final : public reply_handler {
 public:
  typed_reply(Handler handler, const DefaultExecutor& fallback)
      : handler_(std::move(handler)),
        work_(asio::prefer(asio::get_associated_executor(handler_, fallback),
                           asio::execution::outstanding_work.tracked)) {}

  void on_reply(std::error_code ec, std::string_view body, const reply_context& ctx) override {
    // The operation is over: it can no longer be cancelled.
    auto slot = asio::get_associated_cancellation_slot(handler_);
    if (slot.is_connected()) slot.clear();
    if constexpr (std::is_void_v<T>) {
      run_or_dispatch(work_, [h = std::move(handler_), ec]() mutable { std::move(h)(ec); });
    } else {
      T value = decode_reply<T>(body, ec, ctx);
      run_or_dispatch(work_, [h = std::move(handler_), ec, v = std::move(value)]() mutable {
        std::move(h)(ec, std::move(v));
      });
    }
  }

 private:
  Handler handler_;
  std::decay_t<decltype(asio::prefer(
      std::declval<asio::associated_executor_t<Handler, DefaultExecutor>>(),
      asio::execution::outstanding_work.tracked))>
      work_;
};

}  // namespace zkpp::detail
