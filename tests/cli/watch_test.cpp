#include "cli_fixture.hpp"
#include "zkpp/test/line_process.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {
namespace {

using watch = cli_test;

TEST_F(watch, prints_events_made_by_another_client) {
  const auto p = path("w");
  admin_->create(p, "");
  scoped_temp_dir dir("zkpp-cli-watch");
  line_process w(cli_argv({"watch", p, "--recursive", "--count", "2"}), dir / "watch.log");
  w.expect_one_of({"watching " + p}, "the watch registered", default_deadline);
  admin_->set_data(p, "1");
  admin_->create(p + "/c", "");
  w.expect_one_of({"node_data_changed " + p}, "the data change", default_deadline);
  w.expect_one_of({"node_created " + p + "/c"}, "the child's creation", default_deadline);
  // --count 2 ends the command.
  EXPECT_TRUE(w.close(default_deadline));
}

TEST_F(watch, get_w_prints_the_change) {
  const auto p = path("g");
  admin_->create(p, "before");
  scoped_temp_dir dir("zkpp-cli-get-w");
  line_process g(cli_argv({"get", "-w", p}), dir / "get.log");
  // The data is printed once the watch is set.
  g.expect_one_of({"before"}, "the data", default_deadline);
  admin_->set_data(p, "after");
  g.expect_one_of({"node_data_changed " + p}, "the watch event", default_deadline);
  EXPECT_TRUE(g.close(default_deadline));
}

TEST_F(watch, ends_at_timeout) {
  auto r = cli({"--timeout", "1", "watch", root_});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "watching " + root_ + "\n");
}

}  // namespace
}  // namespace zkpp::test
