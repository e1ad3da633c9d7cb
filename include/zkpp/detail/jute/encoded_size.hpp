#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/jute/field.hpp"

namespace zkpp::detail::jute {

// How many bytes writer::put(v) appends: room to reserve before writing a
// large value, so that the string does not grow (and copy) as it is written.
// Types that encode themselves (write_to) are not measured and count as 0.
struct encoded_size_of {
  static std::size_t of(std::int32_t) { return 4; }
  static std::size_t of(std::int64_t) { return 8; }
  static std::size_t of(bool) { return 1; }
  static std::size_t of(std::string_view bytes) { return 4 + bytes.size(); }
  static std::size_t of(const std::string& bytes) { return 4 + bytes.size(); }

  template <class T>
  static std::size_t of(const std::optional<T>& v) {
    return v ? of(*v) : 4;
  }

  template <class T>
  static std::size_t of(const std::vector<T>& v) {
    std::size_t n = 4;
    for (const auto& e : v) n += of(e);
    return n;
  }

  template <record R>
  static std::size_t of(const R& r) {
    std::size_t n = 0;
    for_each_field<R>([&](auto f) { n += of(r.*(f.member)); });
    return n;
  }

  template <class T>
  static std::size_t of(const T&) {
    return 0;
  }
};

template <class T>
std::size_t encoded_size(const T& v) {
  return encoded_size_of::of(v);
}

}  // namespace zkpp::detail::jute
