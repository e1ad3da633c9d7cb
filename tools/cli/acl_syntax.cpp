#include "acl_syntax.hpp"

#include <array>
#include <utility>

#include "command_line.hpp"

namespace zkpp::cli {

namespace {

constexpr std::array<std::pair<char, std::int32_t>, 5> letters{{{'c', perms::create},
                                                                {'d', perms::remove},
                                                                {'r', perms::read},
                                                                {'w', perms::write},
                                                                {'a', perms::admin}}};

acl parse_entry(std::string_view entry) {
  const auto first = entry.find(':');
  const auto last = entry.rfind(':');
  if (first == std::string_view::npos || first == last || first == 0)
    throw usage_error("bad ACL entry '" + std::string(entry) + "': expected scheme:id:perms");
  acl out{0,
          {std::string(entry.substr(0, first)),
           std::string(entry.substr(first + 1, last - first - 1))}};
  for (const char c : entry.substr(last + 1)) {
    bool known = false;
    for (const auto& [letter, bit] : letters)
      if (c == letter) {
        out.perms |= bit;
        known = true;
      }
    if (!known)
      throw usage_error("bad permission '" + std::string(1, c) + "' in ACL entry '" +
                        std::string(entry) + "': use letters of cdrwa");
  }
  return out;
}

}  // namespace

acl_list parse_acl(std::string_view text) {
  acl_list out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.push_back(parse_entry(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.empty()) throw usage_error("empty ACL");
  return out;
}

std::string perms_text(std::int32_t perms) {
  std::string out;
  for (const auto& [letter, bit] : letters)
    if (perms & bit) out += letter;
  return out;
}

std::string acl_text(const acl& entry) {
  return entry.id.scheme + ":" + entry.id.id + ":" + perms_text(entry.perms);
}

}  // namespace zkpp::cli
