#pragma once

#include <boost/endian/conversion.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/jute/encoded_size.hpp"
#include "zkpp/detail/jute/field.hpp"

namespace zkpp::detail::jute {

// Appends jute-encoded values to a byte string.
class writer {
 public:
  explicit writer(std::string& out) : out_(out) {}

  void put(std::int32_t v) { put_big(v); }
  void put(std::int64_t v) { put_big(v); }
  void put(bool v) { out_.push_back(v ? '\1' : '\0'); }
  void put(std::string_view bytes) {
    put(static_cast<std::int32_t>(bytes.size()));
    out_.append(bytes);
  }
  void put(const std::string& bytes) { put(std::string_view{bytes}); }
  void put(const char* text) { put(std::string_view{text}); }

  template <class T>
  void put(const std::optional<T>& v) {
    if (v)
      put(*v);
    else
      put(std::int32_t{-1});
  }

  template <class T>
  void put(const std::vector<T>& v) {
    put(static_cast<std::int32_t>(v.size()));
    for (const auto& e : v) put(e);
  }

  template <record R>
  void put(const R& r) {
    for_each_field<R>([&](auto f) { put(r.*(f.member)); });
  }

  template <class T>
  requires requires(const T& t, writer& w) { t.write_to(w); }
  void put(const T& t) { t.write_to(*this); }

  std::size_t size() const { return out_.size(); }
  // Overwrites a 4-byte big-endian int at `offset` (used for frame lengths).
  void patch(std::size_t offset, std::int32_t v) {
    boost::endian::endian_store<std::int32_t, 4, boost::endian::order::big>(
        reinterpret_cast<unsigned char*>(out_.data() + offset), v);
  }

 private:
  template <class T>
  void put_big(T v) {
    unsigned char b[sizeof(T)];
    boost::endian::endian_store<T, sizeof(T), boost::endian::order::big>(b, v);
    out_.append(reinterpret_cast<const char*>(b), sizeof(T));
  }

  std::string& out_;
};

// Encodes one value (record, vector, ...) into a fresh byte string.
template <class T>
std::string encode(const T& v) {
  std::string out;
  out.reserve(encoded_size(v));
  writer w{out};
  w.put(v);
  return out;
}

}  // namespace zkpp::detail::jute
