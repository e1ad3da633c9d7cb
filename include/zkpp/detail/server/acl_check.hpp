#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/types.hpp"

namespace zkpp::detail::server {

// ZooKeeper's checkACL (PROTOCOL.md §10.3): an empty list or a `super`
// identity passes; otherwise some entry with a matching permission bit must be
// world:anyone or match one of the identities (digest: equal, ip: in range).
bool permitted(const acl_list& acl, std::int32_t perm, const std::vector<id>& identities);

// ZooKeeper's fixupACL: validates a requested ACL list, replaces `auth` entries
// with the session's authenticated identities and removes duplicates;
// nullopt means INVALIDACL.
std::optional<acl_list> fixup_acl(const std::optional<acl_list>& requested,
                                  const std::vector<id>& identities);

// `pattern` is "addr" or "addr/bits" (IPv4 or IPv6).
bool ip_matches(std::string_view pattern, std::string_view address);
bool is_valid_ip_pattern(std::string_view pattern);

// The digest identity for auth data "user:password" (the whole text is
// hashed, as DigestAuthenticationProvider.generateDigest does).
std::string digest_identity(std::string_view credentials);

// Without ADMIN, getACL shows digest ids as "user:x".
acl_list redact_digests(acl_list acl);

}  // namespace zkpp::detail::server
