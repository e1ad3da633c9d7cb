#pragma once

// zkCli's ACL syntax: "scheme:id:perms[,scheme:id:perms...]" with perms from
// "cdrwa" (create, delete, read, write, admin); e.g.
// "world:anyone:cdrwa,digest:user:hash:r". The id may itself contain colons.

#include <string>
#include <string_view>

#include "zkpp/types.hpp"

namespace zkpp::cli {

// Throws usage_error on malformed text.
acl_list parse_acl(std::string_view text);
// "cdrwa" letters for a permission mask.
std::string perms_text(std::int32_t perms);
// "scheme:id:perms"
std::string acl_text(const acl& entry);

}  // namespace zkpp::cli
