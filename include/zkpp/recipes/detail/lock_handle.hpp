#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

class lock_core;

// Deadlines of the blocking try_xxx_for / try_xxx_until calls.
template <class Rep, class Period>
std::chrono::steady_clock::time_point deadline_after(std::chrono::duration<Rep, Period> timeout) {
  return std::chrono::steady_clock::now() +
         std::chrono::ceil<std::chrono::steady_clock::duration>(timeout);
}
template <class Duration>
std::chrono::steady_clock::time_point deadline_at(
    std::chrono::time_point<std::chrono::steady_clock, Duration> deadline) {
  return std::chrono::time_point_cast<std::chrono::steady_clock::duration>(deadline);
}

// One lockable side of a lock recipe (a mutex, either side of a
// shared_mutex): the blocking and asynchronous ways into its lock_core.
// Destroying the handle releases the lock and abandons pending acquisitions.
class lock_handle {
 public:
  using deadline = std::optional<std::chrono::steady_clock::time_point>;

  // `what` names the recipe in exceptions ("zkpp::recipes::mutex /locks/x").
  lock_handle(client& zk, std::string what, std::shared_ptr<lock_core> core);
  ~lock_handle();
  lock_handle(const lock_handle&) = delete;
  lock_handle& operator=(const lock_handle&) = delete;

  // void(std::error_code); per-operation cancellation withdraws the node and
  // completes with asio::error::operation_aborted.
  // With a deadline, a lock not acquired by then completes with
  // error::operation_timeout, its node withdrawn.
  template <class Token>
  auto async_lock(deadline until, Token&& token) {
    return asio::async_initiate<Token, void(std::error_code)>(
        [this](auto handler, deadline until) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          const auto id = start(completion<std::error_code>{std::move(handler), zk_.get_executor()},
                                until, true);
          if (slot.is_connected())
            slot.assign(
                [core = std::weak_ptr{core_}, id](asio::cancellation_type) { abandon(core, id); });
        },
        token, until);
  }

  // Blocks until acquired (true), or `until` passes or, unless `wait`, the
  // first look does not let us go (false); throws std::system_error on any
  // other failure, or when called on the client's own strand.
  bool acquire(deadline until, bool wait);
  void unlock();

  bool held() const;
  std::int64_t fencing_token() const;
  std::string node() const;
  void on_revoked(std::function<void(session_state)> listener);
  const std::shared_ptr<lock_core>& core() const noexcept { return core_; }

 private:
  std::uint64_t start(completion<std::error_code> done, deadline until, bool wait);
  static void abandon(const std::weak_ptr<lock_core>& core, std::uint64_t id);

  client& zk_;
  std::string what_;
  std::shared_ptr<lock_core> core_;
};

}  // namespace zkpp::recipes::detail
