#include <gtest/gtest.h>

#include "connect_string.hpp"
#include "zkpp/error.hpp"

namespace zkpp::detail {
namespace {

TEST(connect_string, hosts_ipv6_and_chroot) {
  std::error_code ec;
  const auto cs = parse_connect_string("zk1:2181,10.0.0.2:2182,[::1]:2183/app/ns", ec);
  ASSERT_FALSE(ec);
  ASSERT_EQ(cs.hosts.size(), 3u);
  EXPECT_EQ(cs.hosts[0].host, "zk1");
  EXPECT_EQ(cs.hosts[1].port, "2182");
  EXPECT_EQ(cs.hosts[2].host, "::1");
  EXPECT_EQ(cs.hosts[2].port, "2183");
  EXPECT_EQ(cs.chroot, "/app/ns");
}

TEST(connect_string, root_chroot_means_none) {
  std::error_code ec;
  EXPECT_EQ(parse_connect_string("h:1/", ec).chroot, "");
  EXPECT_FALSE(ec);
}

TEST(connect_string, malformed_input_is_bad_arguments) {
  for (const char* bad :
       {"", "host", "host:", ":2181", "h:12x", "[::1:2181", "h:1/a//b", "h:1/a/"}) {
    std::error_code ec;
    parse_connect_string(bad, ec);
    EXPECT_EQ(ec, error::bad_arguments) << bad;
  }
}

}  // namespace
}  // namespace zkpp::detail
