#pragma once

#include <string>
#include <system_error>

#include "zkpp/client.hpp"

namespace zkpp::examples {

// Deletes `path` and everything below it. Errors are ignored: recipes make
// their parents containers, which the server may reap at any moment.
inline void remove_tree(client& zk, const std::string& path) {
  std::error_code ec;
  for (const auto& child : zk.get_children(path, {}, ec)) remove_tree(zk, path + "/" + child);
  zk.remove(path, -1, ec);
}

}  // namespace zkpp::examples
