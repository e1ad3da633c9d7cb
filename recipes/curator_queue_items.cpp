#include "zkpp/recipes/curator_queue_items.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "zkpp/recipes/detail/node_io.hpp"

namespace zkpp::recipes {
namespace {

constexpr std::int32_t format_version = 0x00010001;
constexpr char item_opcode = 0x01;
constexpr char end_opcode = 0x02;

void append_item(std::string& out, std::string_view item) {
  if (item.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw std::invalid_argument("zkpp::recipes::encode_curator_items: item larger than 2 GiB");
  out += item_opcode;
  out += detail::to_big_endian(static_cast<std::int32_t>(item.size()));
  out += item;
}

[[noreturn]] void malformed(const std::string& why) {
  throw std::invalid_argument("zkpp::recipes::decode_curator_items: " + why);
}

// The int32 at the front of `rest`, consumed.
std::int32_t take_int(std::string_view& rest, const char* what) {
  if (rest.size() < sizeof(std::int32_t)) malformed(std::string{"truncated "} + what);
  const auto v = *detail::from_big_endian<std::int32_t>(rest.substr(0, sizeof(std::int32_t)));
  rest.remove_prefix(sizeof(std::int32_t));
  return v;
}

}  // namespace

std::string encode_curator_items(std::span<const std::string> items) {
  std::string out = detail::to_big_endian(format_version);
  for (const auto& item : items) append_item(out, item);
  out += end_opcode;
  return out;
}

std::string encode_curator_item(const std::string& item) {
  return encode_curator_items({&item, 1});
}

std::vector<std::string> decode_curator_items(std::string_view data) {
  std::string_view rest = data;
  if (const auto version = take_int(rest, "version"); version != format_version)
    malformed("version " + std::to_string(version) + ", not " + std::to_string(format_version));
  std::vector<std::string> items;
  for (;;) {
    if (rest.empty()) malformed("no end marker");
    const char opcode = rest.front();
    rest.remove_prefix(1);
    if (opcode == end_opcode) return items;
    if (opcode != item_opcode) malformed("opcode " + std::to_string(int{opcode}));
    const auto size = take_int(rest, "item size");
    if (size < 0 || static_cast<std::size_t>(size) > rest.size())
      malformed("item size " + std::to_string(size) + " with " + std::to_string(rest.size()) +
                " bytes left");
    items.emplace_back(rest.substr(0, static_cast<std::size_t>(size)));
    rest.remove_prefix(static_cast<std::size_t>(size));
  }
}

}  // namespace zkpp::recipes
