#include <gtest/gtest.h>

#include <string>

#include "zkpp/detail/proto/path.hpp"

namespace {

using zkpp::detail::proto::is_valid_path;

TEST(path, accepts_plain_and_unicode_paths) {
  for (const char* good : {"/", "/a", "/a/b-c_d.e", "/zkpp-bench/node", "/a/.b", "/a/..b",
                           "/caf\xc3\xa9", "/\xe2\x82\xac/x", "/\xef\xbf\xaf"}) {
    EXPECT_TRUE(is_valid_path(good)) << good;
  }
}

TEST(path, rejects_what_zookeeper_rejects) {
  for (const char* bad : {"",
                          "a",
                          "/a/",
                          "//",
                          "/a//b",
                          "/.",
                          "/..",
                          "/a/.",
                          "/a/../b",
                          "/a\x01",
                          "/a\x1f",
                          "/a\x7f",
                          "/\xc2\x80",          // C1 control
                          "/\xed\xa0\x80",      // surrogate
                          "/\xef\xbf\xb0",      // U+FFF0
                          "/\xf0\x9f\x98\x80",  // outside the BMP
                          "/\xc3",
                          "/\xc3(",
                          "/\xff",
                          "/a\x80"}) {  // bad UTF-8
    EXPECT_FALSE(is_valid_path(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_path(std::string{"/a\0b", 4}));
}

TEST(path, sequential_prefix_may_end_with_a_slash) {
  EXPECT_TRUE(is_valid_path("/q/", true));
  EXPECT_TRUE(is_valid_path("/q/item-", true));
  EXPECT_FALSE(is_valid_path("/q/", false));
  EXPECT_FALSE(is_valid_path("//", true));
}

}  // namespace
