#pragma once

// A double barrier with Apache Curator's DistributedDoubleBarrier layout:
// members enter together once `member_qty` have arrived, and leave together.

#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/bounded_wait.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

namespace detail {
struct barrier_member;
}

// Each member is an ephemeral child `<uuid>` of the barrier path; the
// persistent child `ready` says that enough members arrived. Entering
// creates our child, watches `ready`, and creates it when it counts
// `member_qty` children. Leaving follows the ZooKeeper double-barrier
// recipe on the same layout: the lowest member waits on the highest and
// deletes itself last, every other member deletes itself and waits on the
// lowest, so nobody leaves before all have started leaving (Curator's own
// leave can return early); the last one out deletes `ready`.
//
// Every step carries on through connection loss; after a session expiry
// (with expiry_policy::new_session) an entering member creates its node
// again. A wait that times out or is cancelled deletes our node.
//
// The client must outlive the barrier. Blocking calls must not be made from
// the client's own callbacks.
class double_barrier {
 public:
  double_barrier(client& zk, std::string path, int member_qty);
  double_barrier(const double_barrier&) = delete;
  double_barrier& operator=(const double_barrier&) = delete;

  // Enter and wait until `member_qty` members have entered; false when the
  // timeout passes first (and our node is withdrawn).
  void enter();
  bool enter(std::chrono::milliseconds timeout);
  // Leave and wait until every member has left; false on the timeout.
  void leave();
  bool leave(std::chrono::milliseconds timeout);

  // Complete with void(std::error_code); per-operation cancellation ends
  // them with asio::error::operation_aborted (and withdraws our node).
  template <class Token>
  auto async_enter(Token&& token) {
    return initiate(std::forward<Token>(token), true);
  }
  template <class Token>
  auto async_leave(Token&& token) {
    return initiate(std::forward<Token>(token), false);
  }

  const std::string& path() const noexcept { return path_; }
  // Our member node.
  std::string member_path() const;

 private:
  template <class Token>
  auto initiate(Token&& token, bool entering) {
    return asio::async_initiate<Token, void(std::error_code)>(
        [this, entering](auto handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          auto wait =
              start(detail::completion<std::error_code>{std::move(handler), zk_.get_executor()},
                    std::nullopt, entering);
          detail::bounded_wait::cancel_on(slot, wait);
        },
        token);
  }
  std::weak_ptr<detail::bounded_wait> start(detail::completion<std::error_code> done,
                                            detail::deadline until, bool entering);
  bool run_blocking(detail::deadline until, bool entering);

  client& zk_;
  std::string path_;
  int member_qty_;
  std::shared_ptr<detail::barrier_member> member_;
};

}  // namespace zkpp::recipes
