#pragma once

#include <boost/endian/conversion.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/jute/field.hpp"

namespace zkpp::detail::jute {

// Reads jute-encoded values from a byte range. Never reads past the range:
// the first short read, negative length or oversized count marks the reader
// failed, and every later read is a no-op that leaves values untouched.
class reader {
 public:
  explicit reader(std::string_view bytes) : data_(bytes) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }
  void fail() { ok_ = false; }

  void get(std::int32_t& v) { get_big(v); }
  void get(std::int64_t& v) { get_big(v); }
  void get(bool& v) {
    if (!need(1)) return;
    v = data_[pos_++] != 0;
  }

  // A null (-1) string decodes as empty where the type cannot say "null".
  void get(std::string& v) {
    std::int32_t len = 0;
    get(len);
    if (!ok_) return;
    if (len == -1) {
      v.clear();
      return;
    }
    read_bytes(len, v);
  }

  void get(std::optional<std::string>& v) {
    std::int32_t len = 0;
    get(len);
    if (!ok_) return;
    if (len == -1) {
      v.reset();
      return;
    }
    read_bytes(len, v.emplace());
  }

  template <class T>
  void get(std::vector<T>& v) {
    std::int32_t count = 0;
    get(count);
    v.clear();
    if (!ok_ || count == -1) return;
    read_elements(count, v);
  }

  template <class T>
  void get(std::optional<std::vector<T>>& v) {
    std::int32_t count = 0;
    get(count);
    if (!ok_) return;
    if (count == -1) {
      v.reset();
      return;
    }
    read_elements(count, v.emplace());
  }

  template <record R>
  void get(R& r) {
    for_each_field<R>([&](auto f) { get(r.*(f.member)); });
  }

  template <class T>
  requires requires(T& t, reader& r) { t.read_from(r); }
  void get(T& t) { t.read_from(*this); }

 private:
  bool need(std::size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  template <class T>
  void get_big(T& v) {
    if (!need(sizeof(T))) return;
    v = boost::endian::endian_load<T, sizeof(T), boost::endian::order::big>(
        reinterpret_cast<const unsigned char*>(data_.data() + pos_));
    pos_ += sizeof(T);
  }

  void read_bytes(std::int32_t len, std::string& v) {
    if (len < 0 || !need(static_cast<std::size_t>(len))) {
      ok_ = false;
      return;
    }
    v.assign(data_.data() + pos_, static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
  }

  template <class T>
  void read_elements(std::int32_t count, std::vector<T>& v) {
    // Every element takes at least one byte, so a count above the bytes left
    // is malformed; checking first keeps a hostile count from allocating.
    if (count < 0 || static_cast<std::size_t>(count) > remaining()) {
      ok_ = false;
      return;
    }
    v.resize(static_cast<std::size_t>(count));
    for (auto& e : v) {
      get(e);
      if (!ok_) return;
    }
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Decodes `bytes` into `v`; false if the bytes are malformed or truncated.
template <class T>
bool decode(std::string_view bytes, T& v) {
  reader r{bytes};
  r.get(v);
  return r.ok();
}

}  // namespace zkpp::detail::jute
