#include <algorithm>

#include "client_fixture.hpp"

namespace zkpp::test {
namespace {

using crud = client_test;
using namespace std::chrono_literals;

TEST_F(crud, connect_negotiates_a_session) {
  EXPECT_NE(zk().session_id(), 0);
  EXPECT_EQ(zk().session_password().size(), 16u);
  EXPECT_GT(zk().negotiated_timeout().count(), 0);
}

TEST_F(crud, create_then_get_data_returns_data_and_fresh_stat) {
  EXPECT_EQ(zk().create(path("a"), "hello"), path("a"));
  const auto [data, st] = zk().get_data(path("a"));
  EXPECT_EQ(data, "hello");
  EXPECT_EQ(st.version, 0);
  EXPECT_EQ(st.cversion, 0);
  EXPECT_EQ(st.aversion, 0);
  EXPECT_EQ(st.data_length, 5);
  EXPECT_EQ(st.num_children, 0);
  EXPECT_EQ(st.ephemeral_owner, 0);
  EXPECT_EQ(st.czxid, st.mzxid);
  EXPECT_EQ(st.czxid, st.pzxid);
  EXPECT_EQ(st.ctime, st.mtime);
}

TEST_F(crud, create2_returns_the_stat_of_the_new_node) {
  const auto r = zk().create2(path("b"), "xyz");
  EXPECT_EQ(r.path, path("b"));
  EXPECT_EQ(r.stat.data_length, 3);
  EXPECT_EQ(r.stat, zk().exists(path("b")).value());
}

TEST_F(crud, create_existing_node_fails_with_node_exists) {
  zk().create(path("dup"), "");
  std::error_code ec;
  zk().create(path("dup"), "", {}, ec);
  EXPECT_EQ(ec, error::node_exists);
}

TEST_F(crud, create_without_parent_fails_with_no_node) {
  std::error_code ec;
  zk().create(path("missing/child"), "", {}, ec);
  EXPECT_EQ(ec, error::no_node);
}

TEST_F(crud, ephemeral_node_is_owned_by_the_session_and_takes_no_children) {
  zk().create(path("eph"), "", {.mode = create_mode::ephemeral});
  EXPECT_EQ(zk().exists(path("eph"))->ephemeral_owner, zk().session_id());
  std::error_code ec;
  zk().create(path("eph/child"), "", {}, ec);
  EXPECT_EQ(ec, error::no_children_for_ephemerals);
}

TEST_F(crud, sequential_nodes_get_increasing_ten_digit_suffixes) {
  const auto first = zk().create(path("job-"), "", {.mode = create_mode::persistent_sequential});
  const auto second = zk().create(path("job-"), "", {.mode = create_mode::ephemeral_sequential});
  EXPECT_EQ(first, path("job-0000000000"));
  EXPECT_EQ(second, path("job-0000000001"));
  EXPECT_EQ(zk().exists(second)->ephemeral_owner, zk().session_id());
}

TEST_F(crud, container_and_ttl_nodes_report_no_ephemeral_owner) {
  const auto c = zk().create2(path("container"), "", {.mode = create_mode::container});
  EXPECT_EQ(c.path, path("container"));
  EXPECT_EQ(c.stat.ephemeral_owner, 0);
  const auto t =
      zk().create2(path("ttl"), "t", {.mode = create_mode::persistent_with_ttl, .ttl = 60s});
  EXPECT_EQ(t.stat.ephemeral_owner, 0);
  const auto s = zk().create(path("ttl-"), "",
                             {.mode = create_mode::persistent_sequential_with_ttl, .ttl = 60s});
  EXPECT_EQ(s, path("ttl-0000000002"));
}

TEST_F(crud, invalid_arguments_fail_before_anything_is_sent) {
  std::error_code ec;
  for (const char* bad : {"", "a/b", "/a/", "/a//b", "/a/./b", "/a/../b", "/a\x01"}) {
    zk().create(bad, "", {}, ec);
    EXPECT_EQ(ec, error::bad_arguments) << bad;
  }
  zk().create(path("ttl"), "", {.mode = create_mode::persistent_with_ttl, .ttl = 0ms}, ec);
  EXPECT_EQ(ec, error::bad_arguments);
  zk().get_data("relative", {}, ec);
  EXPECT_EQ(ec, error::bad_arguments);
  zk().set_acl(path("x"), {}, -1, ec);
  EXPECT_EQ(ec, error::bad_arguments);
}

TEST_F(crud, exists_reports_missing_node_as_empty) {
  EXPECT_FALSE(zk().exists(path("nothing")).has_value());
  zk().create(path("here"), "");
  EXPECT_TRUE(zk().exists(path("here")).has_value());
}

TEST_F(crud, set_data_checks_versions) {
  zk().create(path("v"), "0");
  EXPECT_EQ(zk().set_data(path("v"), "1", 0).version, 1);
  EXPECT_EQ(zk().set_data(path("v"), "2").version, 2);
  std::error_code ec;
  zk().set_data(path("v"), "x", 1, ec);
  EXPECT_EQ(ec, error::bad_version);
  zk().set_data(path("nope"), "x", -1, ec);
  EXPECT_EQ(ec, error::no_node);
  EXPECT_EQ(zk().get_data(path("v")).data, "2");
}

TEST_F(crud, remove_checks_version_existence_and_children) {
  zk().create(path("d"), "");
  zk().create(path("d/c"), "");
  std::error_code ec;
  zk().remove(path("d"), -1, ec);
  EXPECT_EQ(ec, error::not_empty);
  zk().remove(path("d/c"), 5, ec);
  EXPECT_EQ(ec, error::bad_version);
  zk().remove(path("d/c"), 0);
  zk().remove(path("d"));
  zk().remove(path("d"), -1, ec);
  EXPECT_EQ(ec, error::no_node);
  EXPECT_FALSE(zk().exists(path("d")));
}

TEST_F(crud, children_are_listed_by_name_with_parent_stat) {
  for (const auto* n : {"x", "y", "z"}) zk().create(path(n), "");
  auto names = zk().get_children(root_);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"x", "y", "z"}));
  const auto r = zk().get_children2(root_);
  EXPECT_EQ(r.children.size(), 3u);
  EXPECT_EQ(r.stat.num_children, 3);
  EXPECT_EQ(r.stat.cversion, 3);
  std::error_code ec;
  zk().get_children(path("none"), {}, ec);
  EXPECT_EQ(ec, error::no_node);
}

TEST_F(crud, sync_answers_with_the_path) {
  EXPECT_EQ(zk().sync(root_), root_);
}

TEST_F(crud, get_all_children_number_counts_the_whole_subtree) {
  zk().create(path("t"), "");
  zk().create(path("t/a"), "");
  zk().create(path("t/a/b"), "");
  zk().create(path("t/c"), "");
  EXPECT_EQ(zk().get_all_children_number(path("t")), 3);
}

TEST_F(crud, get_ephemerals_lists_this_sessions_ephemerals_under_a_prefix) {
  zk().create(path("e1"), "", {.mode = create_mode::ephemeral});
  zk().create(path("e2"), "", {.mode = create_mode::ephemeral});
  zk().create(path("p"), "");
  auto eph = zk().get_ephemerals(root_);
  std::sort(eph.begin(), eph.end());
  EXPECT_EQ(eph, (std::vector<std::string>{path("e1"), path("e2")}));
}

TEST_F(crud, null_and_empty_data_both_read_as_empty) {
  zk().create(path("empty"), "");
  EXPECT_EQ(zk().get_data(path("empty")).data, "");
  EXPECT_EQ(zk().get_data(path("empty")).stat.data_length, 0);
}

TEST_F(crud, large_values_round_trip) {
  const std::string big(512 * 1024, 'z');
  zk().create(path("big"), big);
  EXPECT_EQ(zk().get_data(path("big")).data, big);
}

TEST_F(crud, chroot_is_applied_to_requests_and_stripped_from_replies) {
  auto chrooted = connect_client(root_);
  EXPECT_EQ(chrooted->create("/in", "v"), "/in");
  EXPECT_EQ(zk().get_data(path("in")).data, "v");
  EXPECT_EQ(chrooted->create("/seq-", "", {.mode = create_mode::ephemeral_sequential}),
            "/seq-0000000001");
  EXPECT_EQ(chrooted->get_ephemerals("/"), std::vector<std::string>{"/seq-0000000001"});
  EXPECT_EQ(chrooted->sync("/in"), "/in");
  event_recorder events;
  chrooted->get_data("/in", record_into(events));
  zk().set_data(path("in"), "w");
  const auto e = events.next("data change event under chroot");
  EXPECT_EQ(e.path, "/in");
  EXPECT_EQ(e.type, event_type::node_data_changed);
  const auto r = chrooted->multi({op::create{"/m", ""}});
  EXPECT_EQ(r.at(0).path, "/m");
}

}  // namespace
}  // namespace zkpp::test
