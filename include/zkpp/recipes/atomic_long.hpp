#pragma once

// A distributed 64-bit counter with Apache Curator's DistributedAtomicLong
// layout (the node holds an 8-byte big-endian long; a missing node reads 0).

#include <asio/async_result.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

// What an operation did (Curator's AtomicValue): when it did not succeed,
// pre_value and post_value both hold the value last seen.
template <class T>
struct atomic_value {
  bool succeeded = false;
  T pre_value{};
  T post_value{};
  friend bool operator==(const atomic_value&, const atomic_value&) = default;
};

struct atomic_long_options {
  // Optimistic tries of add/increment/decrement (each reads the value and
  // writes it back on the version read) before giving up unsucceeded; they
  // are spaced by a jittered, doubling backoff.
  int max_tries = 10;
};

// Updates are optimistic: read the value and its version, write the new
// value on that version, try again on a conflict. Connection loss is waited
// out; an update whose reply was lost and whose node has changed since
// completes with connection_loss, as it may or may not have landed.
//
// The client must outlive the counter. Blocking calls must not be made from
// the client's own callbacks.
class atomic_long {
 public:
  using value_type = atomic_value<std::int64_t>;

  atomic_long(client& zk, std::string path, atomic_long_options options = {});

  value_type get();
  value_type increment();
  value_type decrement();
  value_type add(std::int64_t delta);
  value_type subtract(std::int64_t delta);
  // One try: sets `value` if the counter equals `expected` and nobody writes in between.
  value_type compare_and_set(std::int64_t expected, std::int64_t value);
  // One try: sets `value` unless somebody writes in between.
  value_type try_set(std::int64_t value);
  // Sets `value` whatever the counter holds.
  void force_set(std::int64_t value);

  // Completes with void(std::error_code, atomic_value<std::int64_t>).
  template <class Token>
  auto async_get(Token&& token) {
    return initiate(std::forward<Token>(token), update::read());
  }
  template <class Token>
  auto async_add(std::int64_t delta, Token&& token) {
    return initiate(std::forward<Token>(token), update::add(delta, options_.max_tries));
  }
  template <class Token>
  auto async_compare_and_set(std::int64_t expected, std::int64_t value, Token&& token) {
    return initiate(std::forward<Token>(token), update::compare_and_set(expected, value));
  }
  template <class Token>
  auto async_try_set(std::int64_t value, Token&& token) {
    return initiate(std::forward<Token>(token), update::assign(value));
  }
  // Completes with void(std::error_code).
  template <class Token>
  auto async_force_set(std::int64_t value, Token&& token) {
    return detail::async_run<>(zk_.get_executor(), std::forward<Token>(token),
                               [this, value](auto done) { force_set(value, std::move(done)); });
  }

  const std::string& path() const noexcept { return path_; }

  // One optimistic update: the new value for the current one (nullopt: do
  // not write, unsucceeded), and how many tries it gets.
  struct update {
    std::function<std::optional<std::int64_t>(std::int64_t)> next{};
    int tries = 1;
    static update read();
    static update add(std::int64_t delta, int tries);
    static update compare_and_set(std::int64_t expected, std::int64_t value);
    static update assign(std::int64_t value);
  };

 private:
  template <class Token>
  auto initiate(Token&& token, update u) {
    return detail::async_run<value_type>(
        zk_.get_executor(), std::forward<Token>(token),
        [this, u = std::move(u)](auto done) { run(u, std::move(done)); });
  }
  void run(update u, detail::completion<std::error_code, value_type> done);
  value_type run_blocking(update u);
  void force_set(std::int64_t value, detail::completion<std::error_code> done);

  client& zk_;
  std::string path_;
  atomic_long_options options_;
};

}  // namespace zkpp::recipes
