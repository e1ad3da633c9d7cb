// multi and multiRead: atomicity and ZooKeeper's result encoding (PROTOCOL.md §7).

#include "core_fixture.hpp"

namespace zkpp::test {
namespace {

constexpr int code(error e) {
  return static_cast<int>(e);
}

proto::multi_op op(opcode type, proto::multi_op::request_variant r) {
  return {static_cast<std::int32_t>(type), std::move(r)};
}

TEST_F(core_test, multi_applies_every_op_under_one_zxid_with_3_8_result_types) {
  const auto c = connect();
  const auto before = handler_->last_zxid();
  proto::multi_request m{{
      op(opcode::create, create_req("/m1", "a")),
      op(opcode::create2, create_req("/m2", "b")),
      op(opcode::create_container, create_req("/m3", "", create_mode::container)),
      op(opcode::check, proto::check_version_request{"/m2", 0}),
      op(opcode::set_data, proto::set_data_request{"/m2", "bb", 0}),
      op(opcode::remove, proto::delete_request{"/m1", 0}),
  }};
  const auto r = call(c, opcode::multi, m);
  ASSERT_EQ(r.header.err, 0);
  EXPECT_EQ(r.header.zxid, before + 1);
  const auto rsp = decode_as<proto::multi_response>(r.body);
  ASSERT_EQ(rsp.results.size(), 6u);
  EXPECT_EQ(rsp.results[0].type, 1);
  EXPECT_EQ(std::get<proto::path_record>(rsp.results[0].response).path, "/m1");
  EXPECT_EQ(rsp.results[1].type, 1) << "create2 sub-ops come back as plain creates";
  EXPECT_EQ(rsp.results[2].type, 15) << "container creates come back with a stat";
  EXPECT_EQ(std::get<proto::create2_response>(rsp.results[2].response).stat.czxid, before + 1);
  EXPECT_EQ(rsp.results[3].type, 13);
  EXPECT_EQ(rsp.results[4].type, 5);
  EXPECT_EQ(std::get<proto::stat_response>(rsp.results[4].response).stat.version, 1);
  EXPECT_EQ(rsp.results[5].type, 2);
  for (const auto& res : rsp.results) EXPECT_EQ(res.err, 0);
  EXPECT_FALSE(handler_->tree().find("/m1"));
  EXPECT_EQ(*handler_->tree().find("/m2")->data, "bb");
}

TEST_F(core_test, failed_multi_applies_nothing_and_reports_error_results_with_header_err_0) {
  const auto c = connect();
  create(c, "/p");
  const auto seq_before = handler_->tree().find("/p")->child_creations;
  const auto before = handler_->last_zxid();
  proto::multi_request m{{
      op(opcode::create, create_req("/p/a")),
      op(opcode::create, create_req("/p/s-", "", create_mode::persistent_sequential)),
      op(opcode::remove, proto::delete_request{"/p/missing", -1}),
      op(opcode::set_data, proto::set_data_request{"/p", "x", -1}),
  }};
  const auto r = call(c, opcode::multi, m);
  EXPECT_EQ(r.header.err, 0);
  EXPECT_EQ(r.header.zxid, before + 1);
  EXPECT_EQ(to_hex(r.body),
            "ffffffff0000000000"
            "00000000"
            "ffffffff0000000000"
            "00000000"
            "ffffffff00ffffff9b"
            "ffffff9b"
            "ffffffff00fffffffe"
            "fffffffe"
            "ffffffff01ffffffff");
  EXPECT_FALSE(handler_->tree().find("/p/a"));
  EXPECT_EQ(handler_->tree().find("/p")->child_creations, seq_before);
  EXPECT_EQ(handler_->tree().find("/p")->num_children, 0);
  EXPECT_EQ(stat_of(c, "/p").version, 0);
}

TEST_F(core_test, failed_multi_fires_no_watches_and_a_good_one_fires_after_applying) {
  const auto c = connect();
  const auto w = connect();
  create(c, "/p");
  call(w, opcode::get_children, proto::get_children_request{"/p", true});
  call(c, opcode::multi,
       proto::multi_request{{op(opcode::create, create_req("/p/a")),
                             op(opcode::check, proto::check_version_request{"/p", 7})}});
  EXPECT_TRUE(events(w).empty());
  call(c, opcode::multi, proto::multi_request{{op(opcode::create, create_req("/p/a"))}});
  EXPECT_EQ(events(w), std::vector{event(event_type::node_children_changed, "/p")});
}

TEST_F(core_test, multi_sees_its_own_earlier_ops) {
  const auto c = connect();
  const auto r = call(c, opcode::multi,
                      proto::multi_request{{op(opcode::create, create_req("/x")),
                                            op(opcode::create, create_req("/x/y")),
                                            op(opcode::remove, proto::delete_request{"/x/y", 0})}});
  for (const auto& res : decode_as<proto::multi_response>(r.body).results) EXPECT_EQ(res.err, 0);
}

TEST_F(core_test, empty_multi_takes_a_zxid_and_returns_an_empty_response) {
  const auto c = connect();
  const auto before = handler_->last_zxid();
  const auto r = call(c, opcode::multi, proto::multi_request{});
  EXPECT_EQ(r.header.zxid, before + 1);
  EXPECT_EQ(to_hex(r.body), "ffffffff01ffffffff");
}

TEST_F(core_test, multi_read_answers_each_read_independently) {
  const auto c = connect();
  create(c, "/r", "data");
  const auto before = handler_->last_zxid();
  const auto r = call(
      c, opcode::multi_read,
      proto::multi_request{{op(opcode::get_data, proto::get_data_request{"/r", false}),
                            op(opcode::get_children, proto::get_children_request{"/no", false}),
                            op(opcode::get_children, proto::get_children_request{"/", false})}});
  EXPECT_EQ(r.header.zxid, before);
  const auto rsp = decode_as<proto::multi_response>(r.body);
  ASSERT_EQ(rsp.results.size(), 3u);
  EXPECT_EQ(std::get<proto::get_data_response>(rsp.results[0].response).data, "data");
  EXPECT_EQ(rsp.results[1].type, -1);
  EXPECT_EQ(rsp.results[1].err, code(error::no_node));
  EXPECT_EQ(std::get<proto::get_children_response>(rsp.results[2].response).children,
            (std::vector<std::string>{"r", "zookeeper"}));
}

TEST_F(core_test, mixing_reads_and_writes_is_a_marshalling_error) {
  const auto c = connect();
  EXPECT_EQ(call(c, opcode::multi,
                 proto::multi_request{{op(opcode::get_data, proto::get_data_request{"/", false})}})
                .header.err,
            code(error::marshalling_error));
  EXPECT_EQ(
      call(c, opcode::multi_read, proto::multi_request{{op(opcode::create, create_req("/x"))}})
          .header.err,
      code(error::marshalling_error));
  EXPECT_FALSE(handler_->tree().find("/x"));
}

}  // namespace
}  // namespace zkpp::test
