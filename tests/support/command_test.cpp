#include <gtest/gtest.h>

#include <chrono>

#include "zkpp/test/command.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {
namespace {

TEST(run_command, returns_exit_code_and_output) {
  auto r = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_TRUE(run_command({"true"}).ok());
}

TEST(run_command, kills_a_program_that_outlives_its_deadline) {
  auto start = std::chrono::steady_clock::now();
  auto r = run_command({"sleep", "30"}, std::chrono::milliseconds{200});
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  // Generous: only checks that it did not wait for the program.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{20});
}

TEST(run_command, throws_when_the_program_does_not_exist) {
  EXPECT_THROW(run_command({"zkpp-no-such-program"}), std::runtime_error);
}

TEST(scoped_temp_dir, removes_its_tree) {
  std::filesystem::path path;
  {
    scoped_temp_dir dir("zkpp-temp-dir-test");
    path = dir.path();
    std::filesystem::create_directories(dir / "a" / "b");
    EXPECT_TRUE(std::filesystem::is_directory(path / "a" / "b"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace zkpp::test
