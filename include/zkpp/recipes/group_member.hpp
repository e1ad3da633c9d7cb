#pragma once

// Membership of a group: an ephemeral node `<group>/<id>` holding the
// member's payload, kept in place for as long as the member wants to belong.

#include <asio/async_result.hpp>

#include <memory>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

namespace detail {
class member_core;
}

// Like Curator's PersistentNode in ephemeral mode (and its GroupMember): the
// member watches its own node and creates it again whenever it is gone (it
// was deleted, or the session expired and the client started a new one with
// expiry_policy::new_session), and looks again after every reconnection.
// Missing ancestors of the group become containers. A node of the same id
// held by another session is left alone: the member waits for it to go.
//
// The client must outlive the member. Blocking calls must not be made from
// the client's own callbacks.
class group_member {
 public:
  group_member(client& zk, std::string group_path, std::string id, std::string payload = {});
  ~group_member();  // close()
  group_member(const group_member&) = delete;
  group_member& operator=(const group_member&) = delete;

  // Joins the group and waits until our node exists (throws std::system_error
  // when the session is over first).
  void start();
  // Completes with void(std::error_code) once our node exists.
  template <class Token>
  auto async_start(Token&& token) {
    return detail::async_run<>(zk_.get_executor(), std::forward<Token>(token),
                               [this](auto done) { start(std::move(done)); });
  }

  // Replaces the payload (kept for re-creations too).
  void update(std::string payload);
  // Completes with void(std::error_code).
  template <class Token>
  auto async_update(std::string payload, Token&& token) {
    return detail::async_run<>(
        zk_.get_executor(), std::forward<Token>(token),
        [this, payload = std::move(payload)](auto done) { update(payload, std::move(done)); });
  }

  // Leaves the group: stops re-creating and deletes our node (retried
  // through connection loss). A pending start ends with operation_aborted.
  void close();

  const std::string& member_path() const noexcept { return node_; }
  std::string payload() const;

 private:
  void start(detail::completion<std::error_code> done);
  void update(std::string payload, detail::completion<std::error_code> done);

  client& zk_;
  std::string node_;
  std::shared_ptr<detail::member_core> core_;
};

}  // namespace zkpp::recipes
