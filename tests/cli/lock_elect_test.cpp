#include <future>

#include "cli_fixture.hpp"
#include "zkpp/test/fault_proxy.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {
namespace {

// A zkpp-cli run in the background, for commands that block (lock, elect).
std::future<command_result> start_cli(std::vector<std::string> argv) {
  return std::async(std::launch::async,
                    [argv = std::move(argv)] { return run_command(argv, default_deadline); });
}

class lock_elect : public cli_test {
 protected:
  scoped_temp_dir dir_{"zkpp-cli-lock"};
  // The held command says "acquired" on `ready_` and then waits for a line on `go_`.
  fifo ready_{dir_ / "ready"};
  fifo go_{dir_ / "go"};

  std::string hold_then(const std::string& name, const std::string& tail) const {
    return "echo " + name + " > " + ready_.path().string() + "; read x < " + go_.path().string() +
           "; " + tail;
  }
};

TEST_F(lock_elect, lock_excludes_a_second_holder_and_returns_cmd_status) {
  const auto lock_path = path("lock");
  auto holder =
      start_cli(cli_argv({"lock", lock_path, "--", "sh", "-c", hold_then("a", "exit 7")}));
  EXPECT_EQ(ready_.read_line("the first holder"), "a");

  auto r = cli({"lock", lock_path, "--timeout", "1", "--", "sh", "-c",
                "echo b > " + ready_.path().string()});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("lock not acquired within 1 s: " + lock_path), std::string::npos)
      << r.output;
  EXPECT_FALSE(ready_.has_line()) << "the second command ran while the lock was held";

  go_.write_line("go");
  r = await(std::move(holder), "the first holder's end");
  EXPECT_EQ(r.exit_code, 7) << r.output;

  // Released: the next one gets it at once.
  r = cli({"lock", lock_path, "--timeout", "10", "--", "sh", "-c", "exit 0"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(lock_elect, lock_waits_for_the_holder_without_timeout) {
  const auto lock_path = path("lock");
  auto first = start_cli(cli_argv({"lock", lock_path, "--", "sh", "-c", hold_then("a", "true")}));
  EXPECT_EQ(ready_.read_line("the first holder"), "a");
  auto second = start_cli(cli_argv({"lock", lock_path, "--", "sh", "-c", hold_then("b", "true")}));
  await_children(lock_path, 2, "the second contender queued");
  EXPECT_FALSE(ready_.has_line()) << "the second command ran while the lock was held";
  go_.write_line("go");
  EXPECT_EQ(ready_.read_line("the second holder"), "b");
  go_.write_line("go");
  EXPECT_EQ(await(std::move(first), "the first").exit_code, 0);
  EXPECT_EQ(await(std::move(second), "the second").exit_code, 0);
}

TEST_F(lock_elect, lock_lost_stops_the_command) {
  fault_proxy proxy{servers()};
  const auto lock_path = path("lock");
  auto holder = start_cli(cli_argv({"lock", lock_path, "--", "sh", "-c", hold_then("a", "exit 0")},
                                   proxy.connect_string()));
  EXPECT_EQ(ready_.read_line("the holder"), "a");
  // Connection loss revokes the lock (suspended): the command is terminated.
  proxy.drop();
  const auto r = await(std::move(holder), "the holder's end");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("lock lost (suspended): " + lock_path), std::string::npos) << r.output;
}

TEST_F(lock_elect, elect_runs_the_command_as_leader_in_turn) {
  const auto election = path("election");
  auto a = start_cli(
      cli_argv({"elect", election, "--id", "a", "--", "sh", "-c", hold_then("a", "exit 0")}));
  EXPECT_EQ(ready_.read_line("a leading"), "a");
  auto b = start_cli(
      cli_argv({"elect", election, "--id", "b", "--", "sh", "-c", hold_then("b", "exit 3")}));
  await_children(election, 2, "b joined the election");
  EXPECT_FALSE(ready_.has_line()) << "b led while a did";
  go_.write_line("go");
  EXPECT_EQ(await(std::move(a), "a's end").exit_code, 0);
  EXPECT_EQ(ready_.read_line("b leading after a"), "b");
  go_.write_line("go");
  EXPECT_EQ(await(std::move(b), "b's end").exit_code, 3);
}

TEST_F(lock_elect, elect_times_out_with_4) {
  const auto election = path("election");
  auto a = start_cli(cli_argv({"elect", election, "--", "sh", "-c", hold_then("a", "exit 0")}));
  EXPECT_EQ(ready_.read_line("a leading"), "a");
  const auto r = cli({"elect", election, "--timeout", "1", "--", "true"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  go_.write_line("go");
  EXPECT_EQ(await(std::move(a), "a's end").exit_code, 0);
}

}  // namespace
}  // namespace zkpp::test
