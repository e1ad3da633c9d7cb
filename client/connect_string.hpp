#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace zkpp::detail {

struct host_port {
  std::string host;
  std::string port;
};

// "h1:p1,h2:p2,[::1]:p3/chroot" split into hosts and the chroot ("" for none).
struct connect_string {
  std::vector<host_port> hosts;
  std::string chroot;
};

// Parses a connect string; bad_arguments for an empty host list, a missing
// port or an invalid chroot path.
connect_string parse_connect_string(std::string_view text, std::error_code& ec);

}  // namespace zkpp::detail
