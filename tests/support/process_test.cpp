#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string_view>

#include "zkpp/test/process.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {
namespace {

using std::chrono::steady_clock;

TEST(child_process, wait_exit_sees_the_exit_and_stop_returns_its_status) {
  scoped_temp_dir dir("zkpp-process-test");
  child_process child({"sh", "-c", "exit 3"}, dir / "log");
  ASSERT_TRUE(child.wait_exit(steady_clock::now() + std::chrono::seconds{30}))
      << "sh -c 'exit 3' did not exit within 30 s";
  const int status = child.stop();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_FALSE(child.running());
}

TEST(child_process, wait_exit_gives_up_at_the_deadline_and_stop_terminates) {
  scoped_temp_dir dir("zkpp-process-test");
  child_process child({"sleep", "30"}, dir / "log");
  EXPECT_FALSE(child.wait_exit(steady_clock::now() + std::chrono::milliseconds{50}));
  EXPECT_TRUE(child.running());
  const int status = child.stop();
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(child_process, stop_kills_a_child_that_ignores_sigterm) {
  scoped_temp_dir dir("zkpp-process-test");
  // The shell says on a pipe when it ignores SIGTERM, so that stop() cannot come first.
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  child_process child({"sh", "-c", "trap '' TERM; echo ready; exec sleep 30"}, dir / "log",
                      {.out = out[1]});
  ::close(out[1]);
  pollfd ready{out[0], POLLIN, 0};
  ASSERT_EQ(::poll(&ready, 1, 30'000), 1) << "the shell did not print 'ready' within 30 s";
  char line[6] = {};
  EXPECT_EQ(::read(out[0], line, sizeof line), 6);
  EXPECT_EQ(std::string_view(line, sizeof line), "ready\n");
  ::close(out[0]);
  const int status = child.stop(std::chrono::milliseconds{100});
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace zkpp::test
