#pragma once

#include <string>
#include <string_view>

namespace zkpp::detail {

// A server path as the client sees it under `chroot` ("" = no chroot).
inline std::string strip_chroot(std::string path, std::string_view chroot) {
  if (chroot.empty()) return path;
  if (path == chroot) return "/";
  if (path.size() > chroot.size() && path.starts_with(chroot) && path[chroot.size()] == '/')
    return path.substr(chroot.size());
  return path;
}

}  // namespace zkpp::detail
