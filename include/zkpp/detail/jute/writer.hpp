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
  explicit writer(std::string& out) : out_(&out) {}

  void put(std::int32_t v) { put_big(v); }
  void put(std::int64_t v) { put_big(v); }
  void put(bool v) { out_->push_back(v ? '\1' : '\0'); }
  void put(std::string_view bytes) {
    put(static_cast<std::int32_t>(bytes.size()));
    if (split_ && bytes.size() >= split_->min_size) {
      split_->data = bytes;
      out_ = split_->rest;
      split_ = nullptr;
      return;
    }
    out_->append(bytes);
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

  std::size_t size() const { return out_->size(); }
  // Overwrites a 4-byte big-endian int at `offset` (used for frame lengths).
  void patch(std::size_t offset, std::int32_t v) {
    boost::endian::endian_store<std::int32_t, 4, boost::endian::order::big>(
        reinterpret_cast<unsigned char*>(out_->data() + offset), v);
  }

  // From now on, the first byte string of at least `min_size` bytes is not
  // appended: its length is, the bytes are left where they are (in `*data`),
  // and what follows goes to `rest` instead. See encode_split.
  struct split {
    std::size_t min_size;
    std::string* rest;
    std::string_view data{};
  };
  void split_at(split& s) { split_ = &s; }

 private:
  template <class T>
  void put_big(T v) {
    unsigned char b[sizeof(T)];
    boost::endian::endian_store<T, sizeof(T), boost::endian::order::big>(b, v);
    out_->append(reinterpret_cast<const char*>(b), sizeof(T));
  }

  std::string* out_;
  split* split_ = nullptr;
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

// Encodes `v` so that its first byte string of at least `min_size` bytes can
// be sent from where it is, without a copy: appends the encoding up to and
// including that string's length to `head`, the encoding after it to `rest`,
// and returns the string. Without such a string, all goes to `head` and the
// result is empty.
template <class T>
std::string_view encode_split(const T& v, std::size_t min_size, std::string& head,
                              std::string& rest) {
  writer w{head};
  writer::split s{min_size, &rest};
  w.split_at(s);
  w.put(v);
  return s.data;
}

}  // namespace zkpp::detail::jute
