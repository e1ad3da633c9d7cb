#pragma once

#include <asio/dispatch.hpp>

#include <utility>

namespace zkpp::detail {

// asio::dispatch(ex, f), without its cost where it would run f inline anyway.
// On a strand over a type-erased executor (the client's), dispatch first asks
// that executor for its blocking property, and any_executor answers such a
// query with a heap allocation: once per request and once per reply.
template <class Executor, class F>
void run_or_dispatch(const Executor& ex, F&& f) {
  if constexpr (requires { ex.running_in_this_thread(); }) {
    if (ex.running_in_this_thread()) {
      std::forward<F>(f)();
      return;
    }
  }
  asio::dispatch(ex, std::forward<F>(f));
}

}  // namespace zkpp::detail
