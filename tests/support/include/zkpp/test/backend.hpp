#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace zkpp::test {

// The connect string every integration test uses, started once per test
// program on first use and stopped at exit:
//   ZKPP_TEST_SERVERS set   -> used as is (an external ensemble);
//   ZKPP_TEST_BACKEND=zookeeper (default) -> a real Apache ZooKeeper;
//   ZKPP_TEST_BACKEND=zkpp  -> the reference server binary (zkpp-server).
// Throws std::runtime_error with the reason when the backend cannot start
// (the attempt is made once; later calls rethrow the same reason).
// Call it first from the main thread: the server dies with the thread that
// started it.
std::string servers();

// "zookeeper", "zkpp", or "external" (ZKPP_TEST_SERVERS without
// ZKPP_TEST_BACKEND).
std::string backend_name();

// Empty when servers() works, else why it does not.
std::string servers_unavailable_reason();

// True when env CI=true: a backend that cannot start is a failure there.
bool in_ci();

// "/zkpp-test-<pid>-<counter>-<prefix>": a fresh top-level path per call.
std::string unique_path(std::string_view prefix);

}  // namespace zkpp::test

// In a test body or SetUp(): skips the test when no backend can be started
// (fails it instead under CI=true).
#define ZKPP_REQUIRE_SERVERS()                                                                   \
  do {                                                                                           \
    if (auto zkpp_reason_ = ::zkpp::test::servers_unavailable_reason(); !zkpp_reason_.empty()) { \
      if (::zkpp::test::in_ci()) GTEST_FAIL() << "backend unavailable: " << zkpp_reason_;        \
      GTEST_SKIP() << "backend unavailable: " << zkpp_reason_;                                   \
    }                                                                                            \
  } while (false)
