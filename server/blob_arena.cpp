#include "zkpp/detail/server/blob_arena.hpp"

#include <cstring>
#include <new>

namespace zkpp::detail::server {

blob_arena::handle blob_arena::allocate(std::size_t size) {
  if (size > max_small) {
    handle index;
    if (free_heap_.empty()) {
      index = static_cast<handle>(heap_.size());
      heap_.emplace_back();
    } else {
      index = free_heap_.back();
      free_heap_.pop_back();
    }
    heap_[index] = std::make_shared_for_overwrite<char[]>(size);
    return heap_tag | index;
  }
  const auto units = rounded(size == 0 ? 1 : size) / unit;
  if (auto& head = free_small_[units]; head != 0) {
    const auto h = head;
    head = next_free(h);
    return h;
  }
  // A block never straddles two pages; the end of a page too short is left unused.
  if (top_ % page_units + units > page_units || top_ / page_units >= pages_.size()) {
    if (top_ % page_units != 0 && top_ / page_units < pages_.size())
      top_ = static_cast<handle>((top_ / page_units + 1) * page_units);
    if (top_ / page_units >= heap_tag / page_units) throw std::bad_alloc{};
    pages_.push_back(std::make_unique_for_overwrite<char[]>(page_units * unit));
  }
  const auto h = top_;
  top_ += static_cast<handle>(units);
  return h;
}

void blob_arena::free(handle h, std::size_t size) {
  if (h & heap_tag) {
    heap_[h & ~heap_tag].reset();
    free_heap_.push_back(h & ~heap_tag);
    return;
  }
  auto& head = free_small_[rounded(size == 0 ? 1 : size) / unit];
  set_next_free(h, head);
  head = h;
}

blob_arena::handle blob_arena::next_free(handle h) const {
  handle next;
  std::memcpy(&next, bytes(h), sizeof next);
  return next;
}

void blob_arena::set_next_free(handle h, handle next) {
  std::memcpy(bytes(h), &next, sizeof next);
}

char* blob_arena::bytes(handle h) {
  if (h & heap_tag) return heap_[h & ~heap_tag].get();
  return pages_[h / page_units].get() + (h % page_units) * unit;
}

const char* blob_arena::bytes(handle h) const {
  return const_cast<blob_arena*>(this)->bytes(h);
}

std::shared_ptr<const char[]> blob_arena::share(handle h) const {
  if (!(h & heap_tag)) return nullptr;
  return heap_[h & ~heap_tag];
}

bool blob_arena::shared(handle h) const {
  return (h & heap_tag) && heap_[h & ~heap_tag].use_count() > 1;
}

}  // namespace zkpp::detail::server
