#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace zkpp::detail::server {

// Byte blocks named by a 32-bit handle, for the data tree's node records:
// small blocks are carved from 64 KiB pages in 4-byte steps with a free list
// per size, so that a 20-byte record costs 20 bytes rather than the 48 of a
// malloc chunk and its pointer; big ones are separate heap blocks, which a
// reply being written may share (share()) so that their bytes outlive a
// change to the node. Pages are never returned, only reused.
class blob_arena {
 public:
  using handle = std::uint32_t;  // 0 is no block

  handle allocate(std::size_t size);
  void free(handle h, std::size_t size);
  char* bytes(handle h);
  const char* bytes(handle h) const;
  // A big block's bytes, kept alive for as long as the caller holds them even
  // if the block is freed meanwhile; null for a small block.
  std::shared_ptr<const char[]> share(handle h) const;
  // Whether someone besides the arena holds a big block: then it must not be
  // written in place.
  bool shared(handle h) const;
  // Whether a block allocated for `a` bytes can hold `b` bytes.
  static bool same_block_size(std::size_t a, std::size_t b) { return rounded(a) == rounded(b); }

 private:
  static constexpr std::size_t unit = 4;
  static constexpr std::size_t page_units = 16384;
  static constexpr std::size_t max_small = 1024;
  static constexpr handle heap_tag = 0x80000000U;

  static std::size_t rounded(std::size_t size) {
    return size <= max_small ? (size + unit - 1) / unit * unit : size;
  }
  // A free small block holds the next free block of its size.
  handle next_free(handle h) const;
  void set_next_free(handle h, handle next);

  std::vector<std::unique_ptr<char[]>> pages_;
  handle top_ = 1;  // next unused unit; unit 0 stands for no block
  std::vector<handle> free_small_ = std::vector<handle>(max_small / unit + 1);
  std::vector<std::shared_ptr<char[]>> heap_;
  std::vector<handle> free_heap_;
};

}  // namespace zkpp::detail::server
