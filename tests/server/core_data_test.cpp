// Data tree semantics through the request handler: stats, sequential names,
// check orders, error codes and zxids (PROTOCOL.md §8, §9, §16).

#include "core_fixture.hpp"

namespace zkpp::test {
namespace {

constexpr int code(error e) {
  return static_cast<int>(e);
}

TEST_F(core_test, new_node_stat_follows_the_rules) {
  const auto c = connect();
  const auto r = call(c, opcode::create2, create_req("/n", "hello"));
  ASSERT_EQ(r.header.err, 0);
  const auto created = decode_as<proto::create2_response>(r.body);
  EXPECT_EQ(created.path, "/n");
  const auto& s = created.stat;
  EXPECT_EQ(s.czxid, r.header.zxid);
  EXPECT_EQ(s.mzxid, s.czxid);
  EXPECT_EQ(s.pzxid, s.czxid);
  EXPECT_EQ(s.ctime, wall_);
  EXPECT_EQ(s.mtime, wall_);
  EXPECT_EQ(s.version, 0);
  EXPECT_EQ(s.cversion, 0);
  EXPECT_EQ(s.aversion, 0);
  EXPECT_EQ(s.ephemeral_owner, 0);
  EXPECT_EQ(s.data_length, 5);
  EXPECT_EQ(s.num_children, 0);
}

TEST_F(core_test, cversion_counts_creations_and_deletions_and_sequence_counts_creations) {
  const auto c = connect();
  create(c, "/q");
  create(c, "/q/a");
  create(c, "/q/b");
  const auto deleted = call(c, opcode::remove, proto::delete_request{"/q/a", -1});
  ASSERT_EQ(deleted.header.err, 0);
  const auto s = stat_of(c, "/q");
  EXPECT_EQ(s.cversion, 3);
  EXPECT_EQ(s.num_children, 1);
  EXPECT_EQ(s.pzxid, deleted.header.zxid);
  EXPECT_EQ(create(c, "/q/s-", "", create_mode::persistent_sequential), "/q/s-0000000002");
  EXPECT_EQ(create(c, "/q/", "", create_mode::persistent_sequential), "/q/0000000003");
}

TEST_F(core_test, set_data_bumps_version_and_mzxid_and_set_acl_bumps_aversion) {
  const auto c = connect();
  create(c, "/n", "a");
  wall_ += 1000;
  auto r = call(c, opcode::set_data, proto::set_data_request{"/n", "abc", 0});
  ASSERT_EQ(r.header.err, 0);
  auto s = decode_as<proto::set_data_response>(r.body).stat;
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.mzxid, r.header.zxid);
  EXPECT_EQ(s.mtime, wall_);
  EXPECT_EQ(s.data_length, 3);
  EXPECT_EQ(call(c, opcode::set_data, proto::set_data_request{"/n", "x", 0}).header.err,
            code(error::bad_version));
  r = call(c, opcode::set_acl, proto::set_acl_request{"/n", acls::open_unsafe(), -1});
  ASSERT_EQ(r.header.err, 0);
  EXPECT_EQ(decode_as<proto::set_acl_response>(r.body).stat.aversion, 1);
  EXPECT_EQ(
      call(c, opcode::set_acl, proto::set_acl_request{"/n", acls::open_unsafe(), 0}).header.err,
      code(error::bad_version));
}

TEST_F(core_test, null_and_empty_data_stay_distinct) {
  const auto c = connect();
  ASSERT_EQ(call(c, opcode::create, create_req("/null", std::nullopt)).header.err, 0);
  create(c, "/empty", "");
  EXPECT_EQ(
      to_hex(call(c, opcode::get_data, proto::get_data_request{"/null", false}).body.substr(0, 4)),
      "ffffffff");
  EXPECT_EQ(
      to_hex(call(c, opcode::get_data, proto::get_data_request{"/empty", false}).body.substr(0, 4)),
      "00000000");
}

TEST_F(core_test, built_in_nodes_look_like_a_3_8_server) {
  const auto c = connect();
  const auto root = stat_of(c, "/");
  EXPECT_EQ(root.czxid, 0);
  EXPECT_EQ(root.num_children, 1);
  const auto zk = stat_of(c, "/zookeeper");
  EXPECT_EQ(zk.cversion, -2);
  EXPECT_EQ(zk.num_children, 2);
  EXPECT_EQ(stat_of(c, "/zookeeper/config").aversion, -1);
  const auto children = decode_as<proto::get_children_response>(
      call(c, opcode::get_children, proto::get_children_request{"/zookeeper", false}).body);
  EXPECT_EQ(children.children, (std::vector<std::string>{"config", "quota"}));
  for (const char* p : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"})
    EXPECT_EQ(call(c, opcode::remove, proto::delete_request{p, -1}).header.err,
              code(error::bad_arguments))
        << p;
  const auto acl = decode_as<proto::get_acl_response>(
      call(c, opcode::get_acl, proto::get_acl_request{"/zookeeper/config"}).body);
  EXPECT_EQ(acl.acl, acls::read_unsafe());
}

TEST_F(core_test, create_checks_in_zookeepers_order_and_failures_take_a_zxid) {
  const auto c = connect();
  create(c, "/p");
  create(c, "/p/e", "", create_mode::ephemeral);
  const auto err = [&](proto::create_request req, opcode op = opcode::create) {
    const auto before = handler_->last_zxid();
    const auto r = call(c, op, req);
    EXPECT_EQ(r.header.zxid, before + 1) << "zxid for " << req.path;
    return r.header.err;
  };
  auto flags9 = create_req("/p/x");
  flags9.flags = 9;
  EXPECT_EQ(err(flags9), code(error::bad_arguments));
  EXPECT_EQ(err(create_req("/p/x", "", create_mode::persistent_with_ttl)),
            code(error::unimplemented));
  EXPECT_EQ(err(create_req("px")), code(error::bad_arguments));
  EXPECT_EQ(err(create_req("p/x")), code(error::no_node));  // parent "p"
  EXPECT_EQ(err(create_req("/missing/x", "", create_mode::persistent, acl_list{})),
            code(error::invalid_acl));
  EXPECT_EQ(err(create_req("/p/x", "", create_mode::persistent, std::nullopt)),
            code(error::invalid_acl));
  EXPECT_EQ(err(create_req("/p/x", "", create_mode::persistent, acls::creator_all())),
            code(error::invalid_acl));
  EXPECT_EQ(err(create_req("/missing/x")), code(error::no_node));
  EXPECT_EQ(err(create_req("/p/x/")), code(error::no_node));  // parent "/p/x"
  EXPECT_EQ(err(create_req("/p/")), code(error::bad_arguments));
  EXPECT_EQ(err(create_req("/p/.")), code(error::bad_arguments));
  EXPECT_EQ(err(create_req("/p")), code(error::node_exists));
  EXPECT_EQ(err(create_req("/")), code(error::node_exists));
  EXPECT_EQ(err(create_req("/p/e/child")), code(error::no_children_for_ephemerals));
  EXPECT_EQ(err(create_req("/p/ok")), 0);
}

TEST_F(core_test, ttl_nodes_need_extended_types_and_a_valid_ttl) {
  make_handler({.extended_types_enabled = true});
  const auto c = connect();
  const auto ttl = [&](std::int32_t flags, std::int64_t ms, opcode op = opcode::create_ttl) {
    const auto base = create_req("/t", "", static_cast<create_mode>(flags));
    if (op != opcode::create_ttl) return call(c, op, base);
    return call(c, op, proto::create_ttl_request{base.path, base.data, base.acl, flags, ms});
  };
  EXPECT_EQ(ttl(5, 0).header.err, code(error::bad_arguments));
  EXPECT_EQ(ttl(5, max_ttl_ms + 1).header.err, code(error::bad_arguments));
  EXPECT_EQ(ttl(0, 100).header.err, code(error::bad_arguments));
  EXPECT_EQ(ttl(5, 100, opcode::create).header.err, code(error::bad_arguments));
  const auto r = ttl(5, 60000);
  ASSERT_EQ(r.header.err, 0);
  const auto created = decode_as<proto::create2_response>(r.body);
  EXPECT_EQ(created.stat.ephemeral_owner, 0) << "TTL owner marker is not shown";
  EXPECT_EQ(ttl(6, 60000).header.err, 0);
  EXPECT_EQ(create(c, "/t/child"), "/t/child") << "TTL nodes may have children";
}

TEST_F(core_test, delete_checks_in_zookeepers_order) {
  const auto c = connect();
  create(c, "/p");
  create(c, "/p/c");
  const auto del = [&](std::string path, std::int32_t version) {
    return call(c, opcode::remove, proto::delete_request{std::move(path), version}).header.err;
  };
  EXPECT_EQ(del("/nope/x", -1), code(error::no_node));
  EXPECT_EQ(del("/p/nope", -1), code(error::no_node));
  EXPECT_EQ(del("/p/c", 3), code(error::bad_version));
  EXPECT_EQ(del("/p", -1), code(error::not_empty));
  EXPECT_EQ(del("/p/c", 0), 0);
  EXPECT_EQ(del("/p", -1), 0);
}

TEST_F(core_test, reads_look_paths_up_without_validating) {
  const auto c = connect();
  EXPECT_EQ(call(c, opcode::exists, proto::exists_request{"bad//path", false}).header.err,
            code(error::no_node));
  EXPECT_EQ(call(c, opcode::set_data, proto::set_data_request{"bad//path", "", -1}).header.err,
            code(error::bad_arguments));
}

TEST_F(core_test, get_children2_sync_ephemerals_and_descendant_count) {
  const auto c = connect();
  const auto other = connect();
  create(c, "/a");
  create(c, "/a/b");
  create(c, "/a/b/c");
  create(c, "/a/e1", "", create_mode::ephemeral);
  create(c, "/e2", "", create_mode::ephemeral);
  create(other, "/a/theirs", "", create_mode::ephemeral);
  const auto r = call(c, opcode::get_children2, proto::get_children2_request{"/a", false});
  const auto rsp = decode_as<proto::get_children2_response>(r.body);
  EXPECT_EQ(rsp.children, (std::vector<std::string>{"b", "e1", "theirs"}));
  EXPECT_EQ(rsp.stat.num_children, 3);
  EXPECT_EQ(
      decode_as<proto::sync_response>(call(c, opcode::sync, proto::sync_request{"/a"}).body).path,
      "/a");
  const auto eph = [&](std::string prefix) {
    return decode_as<proto::get_ephemerals_response>(
               call(c, opcode::get_ephemerals, proto::get_ephemerals_request{std::move(prefix)})
                   .body)
        .ephemerals;
  };
  EXPECT_EQ(eph("/"), (std::vector<std::string>{"/a/e1", "/e2"}));
  EXPECT_EQ(eph(""), (std::vector<std::string>{"/a/e1", "/e2"}));
  EXPECT_EQ(eph("/a"), (std::vector<std::string>{"/a/e1"}));
  const auto count = decode_as<proto::get_all_children_number_response>(
      call(c, opcode::get_all_children_number, proto::get_all_children_number_request{"/a"}).body);
  EXPECT_EQ(count.total_number, 4);
  EXPECT_EQ(stat_of(c, "/a/e1").ephemeral_owner, handler_->connections().at(c).session_id);
}

TEST_F(core_test, containers_are_reaped_once_emptied_and_ttl_nodes_once_idle) {
  make_handler({.extended_types_enabled = true});
  const auto c = connect();
  const auto watcher = connect();
  ASSERT_EQ(
      call(c, opcode::create_container, create_req("/used", "", create_mode::container)).header.err,
      0);
  ASSERT_EQ(call(c, opcode::create_container, create_req("/unused", "", create_mode::container))
                .header.err,
            0);
  EXPECT_EQ(stat_of(c, "/used").ephemeral_owner, 0);
  create(c, "/used/child");
  call(watcher, opcode::exists, proto::exists_request{"/used", true});
  handler_->reap();
  EXPECT_TRUE(handler_->tree().find("/used")) << "a container with children stays";
  call(c, opcode::remove, proto::delete_request{"/used/child", -1});
  handler_->reap();
  EXPECT_FALSE(handler_->tree().find("/used"));
  EXPECT_TRUE(handler_->tree().find("/unused")) << "never-used containers stay";
  EXPECT_EQ(events(watcher), std::vector{event(event_type::node_deleted, "/used")});

  const auto base = create_req("/ttl", "", create_mode::persistent_with_ttl);
  ASSERT_EQ(call(c, opcode::create_ttl,
                 proto::create_ttl_request{base.path, base.data, base.acl, base.flags, 5000})
                .header.err,
            0);
  wall_ += 5000;
  handler_->reap();
  EXPECT_TRUE(handler_->tree().find("/ttl")) << "not idle for longer than the TTL yet";
  wall_ += 1;
  handler_->reap();
  EXPECT_FALSE(handler_->tree().find("/ttl"));
}

}  // namespace
}  // namespace zkpp::test
