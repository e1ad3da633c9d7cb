#pragma once

#include "zkpp/types.hpp"

namespace zkpp::recipes {

// When a recipe stops trusting the ownership (a lock, leadership) it holds.
enum class revoke_on {
  // As soon as the connection is lost (`suspended`), before the server can
  // have expired the session and handed the ownership to someone else. Safe.
  suspended,
  // Only once the session is considered gone (`lost`, `closed`); after a
  // reconnect the recipe checks that its node still exists.
  lost,
};

// Whether session state `s` ends ownership under `policy`. A read-only
// server is cut off from the quorum, so it counts as suspended.
constexpr bool revokes(revoke_on policy, session_state s) noexcept {
  switch (s) {
    case session_state::suspended:
    case session_state::read_only:
      return policy == revoke_on::suspended;
    case session_state::lost:
    case session_state::closed:
    case session_state::auth_failed:
      return true;
    default:
      return false;
  }
}

}  // namespace zkpp::recipes
