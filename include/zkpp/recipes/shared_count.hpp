#pragma once

// A shared 32-bit counter with Apache Curator's SharedCount layout: the node
// holds a 4-byte big-endian int, so zkpp and Curator share one counter.

#include <asio/async_result.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

// A value with the node version it was read at (Curator's VersionedValue).
struct versioned_count {
  std::int32_t value = 0;
  std::int32_t version = 0;
  friend bool operator==(const versioned_count&, const versioned_count&) = default;
};

namespace detail {
class shared_count_core;
}

// Every operation first creates the node with the seed value when it is
// missing (its missing ancestors become containers), and carries on through
// connection loss. A compare-and-set whose reply was lost, and whose node
// has changed since, completes with connection_loss: it may or may not have
// landed.
//
// Listeners are told (on the client's strand) each value the counter takes
// while started; a data watch re-armed on every event and a re-read after
// every reconnection mean the latest value is never missed, though a burst
// of changes may be told as its last value only.
//
// The client must outlive the counter. Blocking calls must not be made from
// the client's own callbacks.
class shared_count {
 public:
  shared_count(client& zk, std::string path, std::int32_t seed);
  ~shared_count();  // close()
  shared_count(const shared_count&) = delete;
  shared_count& operator=(const shared_count&) = delete;

  // Starts telling listeners (the first value told is the current one).
  void start();
  // Stops telling listeners.
  void close();
  void add_listener(std::function<void(versioned_count)> listener);

  versioned_count get();
  void set(std::int32_t value);
  // Sets `value` only if the node is still at `previous.version`; false when
  // someone else changed it first.
  bool try_set(versioned_count previous, std::int32_t value);

  // Completes with void(std::error_code, versioned_count).
  template <class Token>
  auto async_get(Token&& token) {
    return detail::async_run<versioned_count>(zk_.get_executor(), std::forward<Token>(token),
                                              [this](auto done) { get(std::move(done)); });
  }
  // Completes with void(std::error_code).
  template <class Token>
  auto async_set(std::int32_t value, Token&& token) {
    return detail::async_run<>(zk_.get_executor(), std::forward<Token>(token),
                               [this, value](auto done) { set(value, std::move(done)); });
  }
  // Completes with void(std::error_code, bool set).
  template <class Token>
  auto async_try_set(versioned_count previous, std::int32_t value, Token&& token) {
    return detail::async_run<bool>(
        zk_.get_executor(), std::forward<Token>(token),
        [this, previous, value](auto done) { try_set(previous, value, std::move(done)); });
  }

  const std::string& path() const noexcept { return path_; }

 private:
  void get(detail::completion<std::error_code, versioned_count> done);
  void set(std::int32_t value, detail::completion<std::error_code> done);
  void try_set(versioned_count previous, std::int32_t value,
               detail::completion<std::error_code, bool> done);

  client& zk_;
  std::string path_;
  std::shared_ptr<detail::shared_count_core> core_;
};

}  // namespace zkpp::recipes
