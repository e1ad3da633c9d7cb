#pragma once

// Leader election with Apache Curator's LeaderLatch protocol: zkpp and
// Curator participants on one path elect exactly one leader between them.

#include <asio/async_result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"
#include "zkpp/recipes/participants.hpp"
#include "zkpp/recipes/revoke_policy.hpp"

namespace zkpp::recipes {

struct leader_latch_options {
  // When leadership is dropped (see revoke_policy.hpp).
  revoke_on revoke = revoke_on::suspended;
};

// Told on the client's strand when this participant gains or loses leadership.
struct leader_latch_listener {
  std::function<void()> is_leader{};
  std::function<void()> not_leader{};
};

namespace detail {
class latch_core;
}

// start() creates an ephemeral-sequential `_c_<uuid>-latch-<seq>` child of
// the latch path holding the participant id; the lowest sequence leads, and
// every other participant watches only its predecessor. After a reconnect
// the latch checks its position again (and joins anew if its node is gone);
// close() deletes the node, so leadership moves on at once.
//
// The client must outlive the latch. Blocking calls must not be made from
// the client's own callbacks.
class leader_latch {
 public:
  leader_latch(client& zk, std::string path, std::string id, leader_latch_options options = {});
  ~leader_latch();  // close()
  leader_latch(const leader_latch&) = delete;
  leader_latch& operator=(const leader_latch&) = delete;

  void start();
  // Leaves the election: leadership (if any) is dropped and the node deleted
  // (retried through connection loss). Pending waits end with operation_aborted.
  void close();

  bool has_leadership() const;
  // Blocks until this participant leads (true) or the timeout passes or the
  // latch is closed (false).
  bool await_leadership(std::chrono::milliseconds timeout);
  // Completes with void(std::error_code) once this participant leads.
  template <class Token>
  auto async_await_leadership(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code)>(
        [this](auto handler) {
          await_leadership(
              detail::completion<std::error_code>{std::move(handler), zk_.get_executor()});
        },
        token);
  }

  void add_listener(leader_latch_listener listener);

  // Reads the participants from the server (synchronous; throws std::system_error).
  participants_view participants() const;

  const std::string& id() const noexcept { return id_; }
  const std::string& path() const noexcept { return path_; }

 private:
  void await_leadership(detail::completion<std::error_code> done);

  client& zk_;
  std::string path_;
  std::string id_;
  std::shared_ptr<detail::latch_core> core_;
};

}  // namespace zkpp::recipes
