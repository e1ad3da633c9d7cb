#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <system_error>
#include <utility>

#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

// A recipe's async_xxx: initiates void(std::error_code, T...) for `token`,
// handing `start` the handler as a completion (on `fallback` when the
// handler has no executor of its own).
template <class... T, class Token, class Start>
auto async_run(const asio::any_io_executor& fallback, Token&& token, Start start) {
  return asio::async_initiate<Token, void(std::error_code, T...)>(
      [fallback](auto handler, Start start) {
        start(completion<std::error_code, T...>{std::move(handler), fallback});
      },
      token, std::move(start));
}

}  // namespace zkpp::recipes::detail
