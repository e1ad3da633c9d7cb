#pragma once

#include <system_error>

namespace zkpp {

// ZooKeeper's own result codes (ReplyHeader.err), plus a few client-side
// conditions placed outside ZooKeeper's range.
enum class error : int {
  ok = 0,
  system_error = -1,
  runtime_inconsistency = -2,
  data_inconsistency = -3,
  connection_loss = -4,
  marshalling_error = -5,
  unimplemented = -6,
  operation_timeout = -7,
  bad_arguments = -8,
  unknown_session = -12,
  new_config_no_quorum = -13,
  reconfig_in_progress = -14,
  api_error = -100,
  no_node = -101,
  no_auth = -102,
  bad_version = -103,
  no_children_for_ephemerals = -108,
  node_exists = -110,
  not_empty = -111,
  session_expired = -112,
  invalid_callback = -113,
  invalid_acl = -114,
  auth_failed = -115,
  closing = -116,
  nothing = -117,
  session_moved = -118,
  not_read_only = -119,
  ephemeral_on_local_session = -120,
  no_watcher = -121,
  request_timeout = -122,
  reconfig_disabled = -123,
  session_closed_requires_sasl_auth = -124,
  quota_exceeded = -125,
  throttled_op = -127,

  // Client-side only; never on the wire.
  would_block_on_strand = -1000,
  frame_too_large = -1001,
  protocol_error = -1002,
  no_server_reachable = -1003,
  client_closed = -1004,
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// Maps a wire code (ReplyHeader.err / ErrorResponse.err) to an error_code;
// 0 maps to success.
inline std::error_code from_wire(int code) noexcept {
  return code == 0 ? std::error_code{} : make_error_code(static_cast<error>(code));
}

}  // namespace zkpp

template <>
struct std::is_error_code_enum<zkpp::error> : std::true_type {};
