#include "zkpp/detail/server/acl_check.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "zkpp/auth.hpp"

namespace zkpp::detail::server {
namespace {

struct address_bytes {
  std::array<unsigned char, 16> bytes{};
  int size = 0;  // 4 or 16
};

std::optional<address_bytes> parse_address(std::string_view text) {
  const std::string s{text};
  address_bytes a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.size = 4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.size = 16;
    return a;
  }
  return std::nullopt;
}

struct ip_pattern {
  address_bytes address;
  int bits = 0;
};

std::optional<ip_pattern> parse_pattern(std::string_view pattern) {
  const auto slash = pattern.find('/');
  auto address = parse_address(pattern.substr(0, slash));
  if (!address) return std::nullopt;
  ip_pattern p{*address, address->size * 8};
  if (slash != std::string_view::npos) {
    const auto bits = pattern.substr(slash + 1);
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), p.bits);
    if (ec != std::errc{} || end != bits.data() + bits.size() || p.bits < 0 ||
        p.bits > address->size * 8)
      return std::nullopt;
  }
  return p;
}

bool matches(const id& entry, const id& identity) {
  if (entry.scheme != identity.scheme) return false;
  if (entry.scheme == "digest") return entry.id == identity.id;
  if (entry.scheme == "ip") return ip_matches(entry.id, identity.id);
  return false;
}

bool valid_id(const id& i) {
  if (i.scheme == "world") return i.id == "anyone";
  if (i.scheme == "digest") return std::count(i.id.begin(), i.id.end(), ':') == 1;
  if (i.scheme == "ip") return is_valid_ip_pattern(i.id);
  return false;
}

}  // namespace

bool is_valid_ip_pattern(std::string_view pattern) {
  return parse_pattern(pattern).has_value();
}

bool ip_matches(std::string_view pattern, std::string_view address) {
  const auto p = parse_pattern(pattern);
  const auto a = parse_address(address);
  if (!p || !a || p->address.size != a->size) return false;
  for (int bit = 0; bit < p->bits; ++bit) {
    const auto mask = static_cast<unsigned char>(0x80 >> (bit % 8));
    if ((p->address.bytes[bit / 8] & mask) != (a->bytes[bit / 8] & mask)) return false;
  }
  return true;
}

bool permitted(const acl_list& acl, std::int32_t perm, const std::vector<id>& identities) {
  if (acl.empty()) return true;
  for (const auto& i : identities)
    if (i.scheme == "super") return true;
  for (const auto& entry : acl) {
    if ((entry.perms & perm) == 0) continue;
    if (entry.id.scheme == "world" && entry.id.id == "anyone") return true;
    for (const auto& i : identities)
      if (matches(entry.id, i)) return true;
  }
  return false;
}

std::optional<acl_list> fixup_acl(const std::optional<acl_list>& requested,
                                  const std::vector<id>& identities) {
  if (!requested || requested->empty()) return std::nullopt;
  acl_list out;
  const auto add = [&](acl a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
  };
  for (const auto& entry : *requested) {
    if (entry.id.scheme == "auth") {
      // Only identities from a provider that authenticates (digest) count; ip does not.
      bool any = false;
      for (const auto& i : identities) {
        if (i.scheme != "digest") continue;
        add({entry.perms, i});
        any = true;
      }
      if (!any) return std::nullopt;
    } else {
      if (!valid_id(entry.id)) return std::nullopt;
      add(entry);
    }
  }
  return out;
}

std::string digest_identity(std::string_view credentials) {
  const auto colon = credentials.find(':');
  if (colon == std::string_view::npos) {
    // generateDigest keeps the whole text as the user name; the hash then
    // covers "text" alone, which digest_id cannot express. Such users can
    // only match ACLs written for that exact id, so an unmatchable id is fine.
    return std::string{credentials} + ":";
  }
  return digest_id(credentials.substr(0, colon), credentials.substr(colon + 1));
}

acl_list redact_digests(acl_list acl) {
  for (auto& entry : acl) {
    if (entry.id.scheme != "digest") continue;
    if (const auto colon = entry.id.id.find(':'); colon != std::string::npos)
      entry.id.id = entry.id.id.substr(0, colon) + ":x";
  }
  return acl;
}

}  // namespace zkpp::detail::server
