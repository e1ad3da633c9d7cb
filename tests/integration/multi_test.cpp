#include "client_fixture.hpp"

namespace zkpp::test {
namespace {

using multi = client_test;

TEST_F(multi, applies_every_op_and_reports_each_result) {
  const auto r =
      zk().multi({op::create{path("m"), "a"}, op::set_data{path("m"), "b", 0},
                  op::check{path("m"), 1}, op::create{path("n"), "c"}, op::remove{path("n"), -1}});
  ASSERT_EQ(r.size(), 5u);
  for (const auto& res : r) EXPECT_FALSE(res.error) << res.error.message();
  EXPECT_EQ(r[0].path, path("m"));
  EXPECT_EQ(r[1].stat.version, 1);
  EXPECT_EQ(zk().get_data(path("m")).data, "b");
  EXPECT_FALSE(zk().exists(path("n")));
}

TEST_F(multi, failure_applies_nothing_and_names_the_failing_op) {
  std::error_code ec;
  const auto r = zk().multi(
      {op::create{path("x"), ""}, op::check{path("x"), 7}, op::create{path("y"), ""}}, ec);
  EXPECT_EQ(ec, error::bad_version);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_FALSE(r[0].error);
  EXPECT_EQ(r[1].error, error::bad_version);
  EXPECT_EQ(r[2].error, error::runtime_inconsistency);
  EXPECT_FALSE(zk().exists(path("x")));
  EXPECT_FALSE(zk().exists(path("y")));
}

TEST_F(multi, sequential_and_container_creates_inside_a_transaction) {
  const auto r =
      zk().multi({op::create{path("q-"), "", {.mode = create_mode::persistent_sequential}},
                  op::create{path("c"), "", {.mode = create_mode::container}}});
  EXPECT_EQ(r.at(0).path, path("q-0000000000"));
  EXPECT_EQ(r.at(1).path, path("c"));
}

TEST_F(multi, empty_transaction_succeeds) {
  EXPECT_TRUE(zk().multi({}).empty());
}

TEST_F(multi, multi_read_results_are_independent) {
  zk().create(path("r"), "data");
  zk().create(path("r/kid"), "");
  std::error_code ec;
  const auto r = zk().multi_read(
      {op::get_data{path("r")}, op::get_children{path("r")}, op::get_data{path("gone")}}, ec);
  EXPECT_FALSE(ec);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].data, "data");
  EXPECT_EQ(r[0].stat.num_children, 1);
  EXPECT_EQ(r[1].children, std::vector<std::string>{"kid"});
  EXPECT_EQ(r[2].error, error::no_node);
}

}  // namespace
}  // namespace zkpp::test
