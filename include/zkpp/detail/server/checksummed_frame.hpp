#pragma once

// The framing of everything a durable server writes to disk: a 4-byte
// big-endian payload length, the payload's CRC-32 (4 bytes, big-endian) and
// the payload. A frame cut short by a crash, or with bytes that changed,
// does not parse.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace zkpp::detail::server {

inline constexpr std::size_t checksummed_frame_overhead = 8;

// Appends `payload`, framed, to `out`.
void append_checksummed_frame(std::string& out, std::string_view payload);

// The payload of the frame at `pos` in `bytes`, advancing `pos` past it; or
// nullopt (pos unchanged) if no whole, intact frame starts there.
std::optional<std::string_view> read_checksummed_frame(std::string_view bytes, std::size_t& pos);

}  // namespace zkpp::detail::server
