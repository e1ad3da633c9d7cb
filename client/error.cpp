#include "zkpp/error.hpp"

#include <string>

namespace zkpp {
namespace {

const char* describe(error e) noexcept {
  switch (e) {
    case error::ok:
      return "ok";
    case error::system_error:
      return "system error";
    case error::runtime_inconsistency:
      return "runtime inconsistency (an earlier multi op failed)";
    case error::data_inconsistency:
      return "data inconsistency";
    case error::connection_loss:
      return "connection loss";
    case error::marshalling_error:
      return "marshalling error (malformed record)";
    case error::unimplemented:
      return "operation unimplemented by the server";
    case error::operation_timeout:
      return "operation timeout";
    case error::bad_arguments:
      return "bad arguments";
    case error::unknown_session:
      return "unknown session";
    case error::new_config_no_quorum:
      return "new config has no quorum";
    case error::reconfig_in_progress:
      return "reconfig in progress";
    case error::api_error:
      return "api error";
    case error::no_node:
      return "no node";
    case error::no_auth:
      return "not authorized";
    case error::bad_version:
      return "bad version";
    case error::no_children_for_ephemerals:
      return "ephemeral nodes may not have children";
    case error::node_exists:
      return "node exists";
    case error::not_empty:
      return "node has children";
    case error::session_expired:
      return "session expired";
    case error::invalid_callback:
      return "invalid callback";
    case error::invalid_acl:
      return "invalid ACL";
    case error::auth_failed:
      return "authentication failed";
    case error::closing:
      return "client is closing";
    case error::nothing:
      return "nothing";
    case error::session_moved:
      return "session moved to another server";
    case error::not_read_only:
      return "server is read-only";
    case error::ephemeral_on_local_session:
      return "ephemeral on local session";
    case error::no_watcher:
      return "no such watcher";
    case error::request_timeout:
      return "request timeout";
    case error::reconfig_disabled:
      return "reconfig disabled";
    case error::session_closed_requires_sasl_auth:
      return "session closed: SASL auth required";
    case error::quota_exceeded:
      return "quota exceeded";
    case error::throttled_op:
      return "operation throttled by the server";
    case error::would_block_on_strand:
      return "synchronous call from the client's own strand would never complete";
    case error::frame_too_large:
      return "frame exceeds the maximum frame size";
    case error::protocol_error:
      return "protocol error (unexpected frame from server)";
    case error::no_server_reachable:
      return "no server of the connect string is reachable";
    case error::client_closed:
      return "client is closed";
  }
  return nullptr;
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "zkpp"; }
  std::string message(int code) const override {
    const char* text = describe(static_cast<error>(code));
    return text ? text : "unknown ZooKeeper error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace zkpp
