#include "zkpp/detail/proto/path.hpp"

#include <cstdint>
#include <optional>

namespace zkpp::detail::proto {
namespace {

// Decodes one UTF-8 code point starting at `i`, advancing `i`; nullopt on bad UTF-8.
std::optional<std::uint32_t> next_code_point(std::string_view s, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(s[i++]);
  if (lead < 0x80) return lead;
  int extra = 0;
  std::uint32_t cp = 0;
  if ((lead & 0xe0) == 0xc0) {
    extra = 1;
    cp = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    extra = 2;
    cp = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    extra = 3;
    cp = lead & 0x07;
  } else {
    return std::nullopt;
  }
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size()) return std::nullopt;
    const auto c = static_cast<unsigned char>(s[i++]);
    if ((c & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (c & 0x3f);
  }
  return cp;
}

bool forbidden(std::uint32_t cp) {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xf8ff) ||
         (cp >= 0xfff0 && cp <= 0xffff) ||
         cp > 0xffff;  // outside the BMP: surrogates in Java's UTF-16, which it rejects
}

}  // namespace

bool is_valid_path(std::string_view path, bool sequential) noexcept {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/' && !sequential) return false;
  std::size_t i = 0;
  std::size_t segment_start = 1;
  while (i < path.size()) {
    const std::size_t at = i;
    const auto byte = static_cast<unsigned char>(path[i]);
    // Paths are nearly always ASCII: decode only what is not.
    if (byte >= 0x80) {
      const auto cp = next_code_point(path, i);
      if (!cp || forbidden(*cp)) return false;
      continue;
    }
    ++i;
    if (forbidden(byte)) return false;
    if (byte == '/' && at > 0) {
      const auto segment = path.substr(segment_start, at - segment_start);
      if (segment.empty() || segment == "." || segment == "..") return false;
      segment_start = at + 1;
    }
  }
  const auto last = path.substr(segment_start);
  return last != "." && last != ".." && (!last.empty() || sequential);
}

}  // namespace zkpp::detail::proto
