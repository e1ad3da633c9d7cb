#include "zkpp/detail/server/node_record.hpp"

#include <cstring>

namespace zkpp::detail::server {

namespace {

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// Wrapping difference, so that any pair of zxids round-trips.
std::int64_t minus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

std::int64_t plus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* put_varint(char* out, std::uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

std::uint64_t get_varint(const char*& in) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<std::uint8_t>(*in++);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return v;
  }
}

// The numbers of f's record between its name and its data, in order.
struct numbers {
  std::uint64_t values[9];
};

numbers numbers_of(const node_fields& f) {
  return {{zigzag(f.czxid), zigzag(minus(f.mzxid, f.czxid)), zigzag(minus(f.pzxid, f.czxid)),
           zigzag(f.version), zigzag(f.child_creations), zigzag(f.aversion), zigzag(f.owner), f.acl,
           f.data ? f.data->size() + 1 : 0}};
}

std::size_t header_size(const node_fields& f) {
  std::size_t size = varint_size(f.name.size()) + f.name.size();
  for (const auto v : numbers_of(f).values) size += varint_size(v);
  return size;
}

}  // namespace

std::size_t record_data_offset(const node_fields& f) {
  return header_size(f);
}

std::size_t record_size(const node_fields& f) {
  return header_size(f) + (f.data ? f.data->size() : 0);
}

void write_record(const node_fields& f, char* out) {
  out = put_varint(out, f.name.size());
  if (!f.name.empty()) std::memmove(out, f.name.data(), f.name.size());
  out += f.name.size();
  for (const auto v : numbers_of(f).values) out = put_varint(out, v);
  if (f.data && !f.data->empty()) std::memmove(out, f.data->data(), f.data->size());
}

node_fields read_record(const char* in) {
  node_fields f;
  const auto name_size = get_varint(in);
  f.name = {in, name_size};
  in += name_size;
  f.czxid = unzigzag(get_varint(in));
  f.mzxid = plus(f.czxid, unzigzag(get_varint(in)));
  f.pzxid = plus(f.czxid, unzigzag(get_varint(in)));
  f.version = static_cast<std::int32_t>(unzigzag(get_varint(in)));
  f.child_creations = static_cast<std::int32_t>(unzigzag(get_varint(in)));
  f.aversion = static_cast<std::int32_t>(unzigzag(get_varint(in)));
  f.owner = unzigzag(get_varint(in));
  f.acl = static_cast<acl_table::handle>(get_varint(in));
  if (const auto data_size = get_varint(in)) f.data = std::string_view{in, data_size - 1};
  return f;
}

std::size_t record_size(const char* record) {
  return record_size(read_record(record));
}

}  // namespace zkpp::detail::server
