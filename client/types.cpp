#include "zkpp/types.hpp"

namespace zkpp {

const char* to_string(session_state s) noexcept {
  switch (s) {
    case session_state::connecting:
      return "connecting";
    case session_state::connected:
      return "connected";
    case session_state::suspended:
      return "suspended";
    case session_state::reconnected:
      return "reconnected";
    case session_state::lost:
      return "lost";
    case session_state::read_only:
      return "read_only";
    case session_state::auth_failed:
      return "auth_failed";
    case session_state::closed:
      return "closed";
  }
  return "unknown";
}

const char* to_string(event_type t) noexcept {
  switch (t) {
    case event_type::none:
      return "none";
    case event_type::node_created:
      return "node_created";
    case event_type::node_deleted:
      return "node_deleted";
    case event_type::node_data_changed:
      return "node_data_changed";
    case event_type::node_children_changed:
      return "node_children_changed";
    case event_type::data_watch_removed:
      return "data_watch_removed";
    case event_type::child_watch_removed:
      return "child_watch_removed";
    case event_type::persistent_watch_removed:
      return "persistent_watch_removed";
  }
  return "unknown";
}

}  // namespace zkpp
