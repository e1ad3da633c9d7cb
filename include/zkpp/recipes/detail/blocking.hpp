#pragma once

#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

// The blocking form of a recipe's asynchronous operation: runs
// `start(completion<std::error_code, T...>)` and waits for its result.
// Called on the client's own strand it would wait for itself, so it throws
// would_block_on_strand (naming `what`) instead.
template <class... T, class Start>
std::pair<std::error_code, std::tuple<T...>> run_blocking(client& zk, const std::string& what,
                                                          Start start) {
  if (zk.running_in_this_thread()) throw std::system_error(error::would_block_on_strand, what);
  // Shared: the completing thread may still be inside set_value when get() returns.
  auto result = std::make_shared<std::promise<std::pair<std::error_code, std::tuple<T...>>>>();
  auto future = result->get_future();
  start(completion<std::error_code, T...>{[result](std::error_code ec, T... v) {
                                            result->set_value({ec, {std::move(v)...}});
                                          },
                                          zk.get_executor()});
  return future.get();
}

// run_blocking that throws std::system_error (naming `what`) on an error.
template <class... T, class Start>
std::tuple<T...> run_or_throw(client& zk, const std::string& what, Start start) {
  auto [ec, values] = run_blocking<T...>(zk, what, std::move(start));
  if (ec) throw std::system_error(ec, what);
  return std::move(values);
}

}  // namespace zkpp::recipes::detail
