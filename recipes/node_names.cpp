#include "zkpp/recipes/detail/node_names.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <random>

namespace zkpp::recipes::detail {

std::string random_uuid() {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    std::lock_guard lock{mutex};
    hi = engine();
    lo = engine();
  }
  hi = (hi & ~0xf000ULL) | 0x4000ULL;            // version 4
  lo = (lo & ~(0xcULL << 60)) | (0x8ULL << 60);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

std::string protected_prefix(std::string_view node_name) {
  return "_c_" + random_uuid() + "-" + std::string{node_name};
}

std::optional<std::int64_t> sequence_of(std::string_view name) {
  constexpr std::size_t digits = 10;
  if (name.size() < digits) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : name.substr(name.size() - digits)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::vector<std::string> order_by_sequence(const std::vector<std::string>& children) {
  std::vector<std::pair<std::int64_t, std::string>> keyed;
  for (const auto& child : children)
    if (const auto seq = sequence_of(child)) keyed.emplace_back(*seq, child);
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> ordered;
  ordered.reserve(keyed.size());
  for (auto& [seq, name] : keyed) ordered.push_back(std::move(name));
  return ordered;
}

std::string_view node_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace zkpp::recipes::detail
