#pragma once

// Leader election with Apache Curator's LeaderSelector protocol: contenders
// queue on an InterProcessMutex layout, so zkpp and Curator selectors on one
// path take turns leading between them.

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "zkpp/client.hpp"
#include "zkpp/recipes/leadership.hpp"
#include "zkpp/recipes/participants.hpp"
#include "zkpp/recipes/revoke_policy.hpp"

namespace zkpp::recipes {

struct leader_selector_options {
  // When leadership is lost while the callback runs (see revoke_policy.hpp).
  revoke_on revoke = revoke_on::suspended;
  // Queue again each time leadership ends (Curator's autoRequeue()).
  bool auto_requeue = false;
  // Hears what the leader callback threw, on the selector's thread; the turn
  // ends as if the callback had returned. Curator logs these; without this
  // handler they are dropped.
  std::function<void(std::exception_ptr)> on_callback_error{};
};

namespace detail {
class selector_core;
}

// Runs while this participant leads; leadership is released when it returns.
using leader_callback = std::function<void(leadership&)>;

// start() queues for leadership as a contender of Curator's InterProcessMutex
// on the election path (an ephemeral-sequential `_c_<uuid>-lock-<seq>` child
// holding the participant id). Once it holds the lock, the callback runs on a
// thread the selector owns (never on the client's strand); when the callback
// returns the node is deleted and the next contender leads. Leadership lost
// per `revoke` while the callback runs shows up in its `leadership`; the
// callback should then stop. With `auto_requeue` the selector queues again
// after each turn (and after a failed attempt, with backoff).
//
// The client must outlive the selector. Blocking calls (participants) must
// not be made from the client's own callbacks.
class leader_selector {
 public:
  leader_selector(client& zk, std::string path, std::string id, leader_callback callback,
                  leader_selector_options options = {});
  // close(), then waits for a running callback to return.
  ~leader_selector();
  leader_selector(const leader_selector&) = delete;
  leader_selector& operator=(const leader_selector&) = delete;

  // Queues for leadership the first time; later calls do nothing.
  void start();
  // Ends a running callback's leadership (it sees the loss), withdraws from
  // the queue and deletes the node once the callback has returned. Does not
  // wait for the callback; the destructor does.
  void close();
  // Queues again after a turn (false when already queued, not started or closed).
  bool requeue();

  // True while this participant holds leadership and has not lost it.
  bool has_leadership() const;

  // Reads the participants from the server (synchronous; throws std::system_error).
  participants_view participants() const;

  const std::string& id() const noexcept { return id_; }
  const std::string& path() const noexcept { return path_; }

 private:
  client& zk_;
  std::string path_;
  std::string id_;
  std::shared_ptr<detail::selector_core> core_;
  std::thread worker_;
};

}  // namespace zkpp::recipes
