#pragma once

// Skip guards for self-tests of the fixtures: in a test body, skip the test
// when a tool is missing (fail it instead under CI=true, see in_ci()).
//   ZKPP_REQUIRE_APACHE_ZOOKEEPER();   Debian's zookeeper and java
//   ZKPP_REQUIRE_PROGRAM("openssl");   a program in PATH

#include <gtest/gtest.h>

#include <string>

#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/backend.hpp"
#include "zkpp/test/process.hpp"

#define ZKPP_TEST_SKIP_OR_FAIL_(why)                  \
  do {                                                \
    if (::zkpp::test::in_ci()) GTEST_FAIL() << (why); \
    GTEST_SKIP() << (why);                            \
  } while (false)

#define ZKPP_REQUIRE_APACHE_ZOOKEEPER()                                                            \
  do {                                                                                             \
    std::string zkpp_why_;                                                                         \
    if (!::zkpp::test::apache_zookeeper::available(zkpp_why_)) ZKPP_TEST_SKIP_OR_FAIL_(zkpp_why_); \
  } while (false)

#define ZKPP_REQUIRE_PROGRAM(name)                                       \
  do {                                                                   \
    if (::zkpp::test::find_program(name).empty())                        \
      ZKPP_TEST_SKIP_OR_FAIL_(std::string(name) + " not found in PATH"); \
  } while (false)
