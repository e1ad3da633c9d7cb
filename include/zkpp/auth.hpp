#pragma once

#include <string>
#include <string_view>

#include "zkpp/types.hpp"

namespace zkpp {

// The digest ACL id ZooKeeper stores for user:password:
// "user:" + base64(sha1("user:password")).
std::string digest_id(std::string_view user, std::string_view password);

// An ACL entry granting `permissions` to the digest identity user:password.
inline acl digest_acl(std::string_view user, std::string_view password,
                      std::int32_t permissions = perms::all) {
  return {permissions, {"digest", digest_id(user, password)}};
}

// An ACL entry for clients whose address matches `address[/bits]`.
inline acl ip_acl(std::string address, std::int32_t permissions = perms::all) {
  return {permissions, {"ip", std::move(address)}};
}

}  // namespace zkpp
