#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "zkpp/error.hpp"

namespace zkpp::detail::server {

// The codes a ZooKeeper server puts in a reply header (KeeperException.Code,
// without connection_loss, which only clients raise), by their zkpp::error
// names ("operation_timeout", "no_node", ...).
bool is_server_error(error e);
// The name of a server error; "code N" for other values.
std::string error_name(error e);
// The server error with this name, if any.
std::optional<error> server_error_named(std::string_view name);

}  // namespace zkpp::detail::server
