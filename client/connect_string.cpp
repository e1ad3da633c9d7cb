#include "connect_string.hpp"

#include "zkpp/detail/proto/path.hpp"
#include "zkpp/error.hpp"

namespace zkpp::detail {
namespace {

bool parse_host(std::string_view item, host_port& out) {
  std::size_t colon;
  if (item.starts_with('[')) {
    const auto close = item.find(']');
    if (close == std::string_view::npos) return false;
    out.host = std::string{item.substr(1, close - 1)};
    colon = close + 1;
    if (colon >= item.size() || item[colon] != ':') return false;
  } else {
    colon = item.rfind(':');
    if (colon == std::string_view::npos) return false;
    out.host = std::string{item.substr(0, colon)};
  }
  out.port = std::string{item.substr(colon + 1)};
  if (out.host.empty() || out.port.empty()) return false;
  for (char c : out.port)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

connect_string parse_connect_string(std::string_view text, std::error_code& ec) {
  connect_string result;
  const auto slash = text.find('/');
  std::string_view hosts = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    result.chroot = std::string{text.substr(slash)};
    if (result.chroot == "/") result.chroot.clear();
    if (!result.chroot.empty() && !proto::is_valid_path(result.chroot)) {
      ec = error::bad_arguments;
      return {};
    }
  }
  while (!hosts.empty()) {
    const auto comma = hosts.find(',');
    const auto item = hosts.substr(0, comma);
    hosts = comma == std::string_view::npos ? std::string_view{} : hosts.substr(comma + 1);
    if (item.empty()) continue;
    host_port hp;
    if (!parse_host(item, hp)) {
      ec = error::bad_arguments;
      return {};
    }
    result.hosts.push_back(std::move(hp));
  }
  if (result.hosts.empty()) ec = error::bad_arguments;
  return result;
}

}  // namespace zkpp::detail
