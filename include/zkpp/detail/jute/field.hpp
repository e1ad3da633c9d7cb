#pragma once

#include <concepts>
#include <tuple>

namespace zkpp::detail::jute {

// One field of a jute record: its Java wire name and the member that holds it.
// A record lists its fields once, in wire order, in `static constexpr auto
// fields()`; encode, decode and size are all derived from that list.
template <class Record, class T>
struct field {
  const char* name;
  T Record::*member;
};

// Spelled out for compilers without aggregate deduction (clang 14).
template <class Record, class T>
field(const char*, T Record::*) -> field<Record, T>;

template <class R>
concept record = requires {
  R::fields();
};

template <record R, class F>
constexpr void for_each_field(F&& f) {
  std::apply([&](auto... fs) { (f(fs), ...); }, R::fields());
}

}  // namespace zkpp::detail::jute
