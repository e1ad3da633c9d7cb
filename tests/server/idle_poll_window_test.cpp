// The adaptive idle-poll window of the server's thread.

#include "zkpp/detail/server/idle_poll_window.hpp"

#include <gtest/gtest.h>

namespace zkpp::detail::server {
namespace {

using std::chrono::microseconds;

TEST(idle_poll_window, starts_closed_and_opens_while_work_returns_within_the_maximum) {
  idle_poll_window w{microseconds{200}};
  EXPECT_EQ(w.current(), microseconds{0});
  w.idle_ended(microseconds{30});
  EXPECT_EQ(w.current(), microseconds{50}) << "opens at a quarter of the maximum";
  w.idle_ended(microseconds{30});
  EXPECT_EQ(w.current(), microseconds{50}) << "work caught by polling leaves it as it is";
  w.idle_ended(microseconds{80});
  EXPECT_EQ(w.current(), microseconds{100});
  w.idle_ended(microseconds{150});
  EXPECT_EQ(w.current(), microseconds{200});
  w.idle_ended(microseconds{200});
  EXPECT_EQ(w.current(), microseconds{200}) << "never beyond the maximum";
}

TEST(idle_poll_window, halves_after_each_long_idle_down_to_closed) {
  idle_poll_window w{microseconds{8}};
  for (int i = 0; i < 3; ++i) w.idle_ended(microseconds{7});
  ASSERT_EQ(w.current(), microseconds{8});
  w.idle_ended(microseconds{1000});
  EXPECT_EQ(w.current(), microseconds{4});
  w.idle_ended(microseconds{1000});
  EXPECT_EQ(w.current(), microseconds{2});
  w.idle_ended(microseconds{1000});
  EXPECT_EQ(w.current(), microseconds{1});
  w.idle_ended(microseconds{1000});
  EXPECT_EQ(w.current(), microseconds{0}) << "sparse traffic costs no polling";
  w.idle_ended(microseconds{1000});
  EXPECT_EQ(w.current(), microseconds{0});
}

}  // namespace
}  // namespace zkpp::detail::server
