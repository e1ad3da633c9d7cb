#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace zkpp::detail::server {

// The data tree's nodes by (parent, name): an open-addressing hash set of
// node numbers that reads each entry's key from the node itself (key_of:
// number -> pair of parent number and name), so an entry costs 4 bytes and
// the table stays between 53% and 80% full.
class name_index {
 public:
  static constexpr std::uint32_t none = 0xffffffff;

  template <class KeyOf>
  std::uint32_t find(std::uint32_t parent, std::string_view name, const KeyOf& key_of) const {
    if (slots_.empty()) return none;
    for (auto i = home(hash(parent, name));; i = next(i)) {
      if (slots_[i] == 0) return none;
      if (key_of(slots_[i] - 1) == std::pair{parent, name}) return slots_[i] - 1;
    }
  }

  template <class KeyOf>
  void insert(std::uint32_t node, const KeyOf& key_of) {
    if ((size_ + 1) * 5 > slots_.size() * 4) grow(key_of);
    place(node, key_of);
    ++size_;
  }

  template <class KeyOf>
  void erase(std::uint32_t node, const KeyOf& key_of) {
    const auto [parent, name] = key_of(node);
    auto hole = home(hash(parent, name));
    while (slots_[hole] != node + 1) hole = next(hole);
    // Backward shift: move up every later entry of the run that may sit in the hole.
    for (auto i = next(hole); slots_[i] != 0; i = next(i)) {
      const auto [p, n] = key_of(slots_[i] - 1);
      const auto h = home(hash(p, n));
      const bool stays = hole <= i ? (hole < h && h <= i) : (hole < h || h <= i);
      if (stays) continue;
      slots_[hole] = slots_[i];
      hole = i;
    }
    slots_[hole] = 0;
    --size_;
  }

 private:
  static std::uint64_t hash(std::uint32_t parent, std::string_view name) {
    auto h = std::hash<std::string_view>{}(name) ^ (parent * 0x9e3779b97f4a7c15ULL);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
  }
  std::size_t home(std::uint64_t h) const { return ((h >> 32) * slots_.size()) >> 32; }
  std::size_t next(std::size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }

  template <class KeyOf>
  void place(std::uint32_t node, const KeyOf& key_of) {
    const auto [parent, name] = key_of(node);
    auto i = home(hash(parent, name));
    while (slots_[i] != 0) i = next(i);
    slots_[i] = node + 1;
  }

  template <class KeyOf>
  void grow(const KeyOf& key_of) {
    auto old = std::exchange(slots_, std::vector<std::uint32_t>(std::max<std::size_t>(
                                         16, slots_.size() + slots_.size() / 2)));
    for (const auto entry : old)
      if (entry != 0) place(entry - 1, key_of);
  }

  std::vector<std::uint32_t> slots_;  // node number + 1; 0 is empty
  std::size_t size_ = 0;
};

}  // namespace zkpp::detail::server
