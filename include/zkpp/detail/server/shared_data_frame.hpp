#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace zkpp::detail::server {

// A reply frame whose large middle is node data shared with the data tree
// instead of copied into the frame: `head`, `data`, then `tail`, written to
// the socket as one gather write. `owner` keeps `data` alive meanwhile.
struct shared_data_frame {
  std::string head;
  std::shared_ptr<const char[]> owner;
  std::string_view data;
  std::string tail;

  std::size_t size() const { return head.size() + data.size() + tail.size(); }
  // The frame in one string, for a path that keeps frames for later.
  std::string flatten() const {
    std::string f;
    f.reserve(size());
    f.append(head).append(data).append(tail);
    return f;
  }
};

}  // namespace zkpp::detail::server
