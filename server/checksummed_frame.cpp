#include "zkpp/detail/server/checksummed_frame.hpp"

#include <boost/crc.hpp>
#include <boost/endian/conversion.hpp>

#include <cstdint>

namespace zkpp::detail::server {
namespace {

std::uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void put_u32(std::string& out, std::uint32_t v) {
  unsigned char b[4];
  boost::endian::endian_store<std::uint32_t, 4, boost::endian::order::big>(b, v);
  out.append(reinterpret_cast<const char*>(b), 4);
}

std::uint32_t get_u32(std::string_view bytes, std::size_t at) {
  return boost::endian::endian_load<std::uint32_t, 4, boost::endian::order::big>(
      reinterpret_cast<const unsigned char*>(bytes.data() + at));
}

}  // namespace

void append_checksummed_frame(std::string& out, std::string_view payload) {
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, crc32(payload));
  out.append(payload);
}

std::optional<std::string_view> read_checksummed_frame(std::string_view bytes, std::size_t& pos) {
  if (pos > bytes.size() || bytes.size() - pos < checksummed_frame_overhead) return std::nullopt;
  const std::size_t length = get_u32(bytes, pos);
  if (bytes.size() - pos - checksummed_frame_overhead < length) return std::nullopt;
  const auto payload = bytes.substr(pos + checksummed_frame_overhead, length);
  if (crc32(payload) != get_u32(bytes, pos + 4)) return std::nullopt;
  pos += checksummed_frame_overhead + length;
  return payload;
}

}  // namespace zkpp::detail::server
