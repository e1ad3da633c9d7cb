#include "zkpp/detail/server/error_names.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace zkpp::detail::server {
namespace {

constexpr std::pair<error, std::string_view> server_errors[] = {
    {error::system_error, "system_error"},
    {error::runtime_inconsistency, "runtime_inconsistency"},
    {error::data_inconsistency, "data_inconsistency"},
    {error::marshalling_error, "marshalling_error"},
    {error::unimplemented, "unimplemented"},
    {error::operation_timeout, "operation_timeout"},
    {error::bad_arguments, "bad_arguments"},
    {error::unknown_session, "unknown_session"},
    {error::new_config_no_quorum, "new_config_no_quorum"},
    {error::reconfig_in_progress, "reconfig_in_progress"},
    {error::api_error, "api_error"},
    {error::no_node, "no_node"},
    {error::no_auth, "no_auth"},
    {error::bad_version, "bad_version"},
    {error::no_children_for_ephemerals, "no_children_for_ephemerals"},
    {error::node_exists, "node_exists"},
    {error::not_empty, "not_empty"},
    {error::session_expired, "session_expired"},
    {error::invalid_callback, "invalid_callback"},
    {error::invalid_acl, "invalid_acl"},
    {error::auth_failed, "auth_failed"},
    {error::closing, "closing"},
    {error::nothing, "nothing"},
    {error::session_moved, "session_moved"},
    {error::not_read_only, "not_read_only"},
    {error::ephemeral_on_local_session, "ephemeral_on_local_session"},
    {error::no_watcher, "no_watcher"},
    {error::request_timeout, "request_timeout"},
    {error::reconfig_disabled, "reconfig_disabled"},
    {error::session_closed_requires_sasl_auth, "session_closed_requires_sasl_auth"},
    {error::quota_exceeded, "quota_exceeded"},
    {error::throttled_op, "throttled_op"},
};

}  // namespace

bool is_server_error(error e) {
  return std::any_of(std::begin(server_errors), std::end(server_errors),
                     [e](const auto& entry) { return entry.first == e; });
}

std::string error_name(error e) {
  for (const auto& [code, name] : server_errors)
    if (code == e) return std::string{name};
  return "code " + std::to_string(static_cast<int>(e));
}

std::optional<error> server_error_named(std::string_view name) {
  for (const auto& [code, n] : server_errors)
    if (n == name) return code;
  return std::nullopt;
}

}  // namespace zkpp::detail::server
