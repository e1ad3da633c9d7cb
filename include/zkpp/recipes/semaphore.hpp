#pragma once

// A distributed counting semaphore with Apache Curator's
// InterProcessSemaphoreV2 protocol: zkpp and Curator processes on one path
// share its leases.

#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"
#include "zkpp/recipes/detail/lock_handle.hpp"

namespace zkpp::recipes {

struct semaphore_options {
  // Data of the lease nodes.
  std::string data{};
};

namespace detail {
class semaphore_core;
}

// One lease of a semaphore: its node lives until release() or destruction
// (a guaranteed delete), or until its session ends. Movable; the client must
// outlive it.
class lease {
 public:
  lease() = default;
  lease(lease&& other) noexcept;
  lease& operator=(lease&& other) noexcept;
  ~lease();

  void release();
  // The full path of the lease node; empty once released (or moved from).
  const std::string& node() const noexcept { return node_; }
  explicit operator bool() const noexcept { return !node_.empty(); }

 private:
  friend class detail::semaphore_core;
  lease(client& zk, std::string node) : zk_(&zk), node_(std::move(node)) {}

  client* zk_ = nullptr;
  std::string node_;
};

// Under the semaphore path, `locks/` holds an internal mutex (Curator's
// `_c_<uuid>-lock-<seq>`) and `leases/` the leases, ephemeral-sequential
// `_c_<uuid>-lease-<seq>` nodes. An acquisition takes the internal mutex,
// creates its lease node, and waits (watching the children of `leases/`,
// still holding the mutex) until there are at most max_leases of them; then
// it releases the mutex. Every process must use the same max_leases.
//
// Acquisitions of one semaphore object run one after the other. Destroying
// the semaphore abandons the pending ones (their nodes are deleted); leases
// already handed out stay valid. The client must outlive the semaphore;
// blocking calls must not be made from the client's own callbacks.
class semaphore {
 public:
  semaphore(client& zk, std::string path, int max_leases, semaphore_options options = {});
  ~semaphore();
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  // Completes with void(std::error_code, lease), or with
  // void(std::error_code, std::vector<lease>) for `n` leases (all or none).
  // Per-operation cancellation completes with asio::error::operation_aborted
  // after the nodes are withdrawn.
  template <class Token>
  auto async_acquire(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code, lease)>(
        [this](auto handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          const auto id = start_one(
              detail::completion<std::error_code, lease>{std::move(handler), zk_.get_executor()});
          connect(slot, id);
        },
        token);
  }
  template <class Token>
  auto async_acquire(int n, Token&& token) {
    return asio::async_initiate<Token, void(std::error_code, std::vector<lease>)>(
        [this](auto handler, int n) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          const auto id = start(n, std::nullopt,
                                detail::completion<std::error_code, std::vector<lease>>{
                                    std::move(handler), zk_.get_executor()});
          connect(slot, id);
        },
        token, n);
  }

  // Blocking forms; they throw std::system_error when the acquisition fails
  // for another reason than the deadline (which gives nullopt / no leases).
  lease acquire();
  std::vector<lease> acquire(int n);
  template <class Rep, class Period>
  std::optional<lease> try_acquire_for(std::chrono::duration<Rep, Period> timeout) {
    return first(acquire_blocking(1, detail::deadline_after(timeout)));
  }
  template <class Rep, class Period>
  std::vector<lease> try_acquire_for(int n, std::chrono::duration<Rep, Period> timeout) {
    return acquire_blocking(n, detail::deadline_after(timeout));
  }
  template <class Duration>
  std::optional<lease> try_acquire_until(
      std::chrono::time_point<std::chrono::steady_clock, Duration> deadline) {
    return first(acquire_blocking(1, detail::deadline_at(deadline)));
  }

  int max_leases() const noexcept { return max_leases_; }
  const std::string& path() const noexcept { return path_; }

 private:
  using deadline = std::optional<std::chrono::steady_clock::time_point>;
  std::uint64_t start(int n, deadline until,
                      detail::completion<std::error_code, std::vector<lease>> done);
  std::uint64_t start_one(detail::completion<std::error_code, lease> done);
  static void abandon(const std::weak_ptr<detail::semaphore_core>& core, std::uint64_t id);
  template <class Slot>
  void connect(Slot& slot, std::uint64_t id) {
    if (slot.is_connected())
      slot.assign(
          [core = std::weak_ptr{core_}, id](asio::cancellation_type) { abandon(core, id); });
  }
  std::vector<lease> acquire_blocking(int n, deadline until);
  static std::optional<lease> first(std::vector<lease> leases);

  client& zk_;
  std::string path_;
  int max_leases_;
  std::shared_ptr<detail::semaphore_core> core_;
};

}  // namespace zkpp::recipes
