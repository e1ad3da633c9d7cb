// Handshake, sessions, expiry, special requests and bad input, on the sans-io core.

#include "core_fixture.hpp"

namespace zkpp::test {
namespace {

TEST_F(core_test, new_session_negotiates_timeout_and_issues_a_16_byte_password) {
  connect(1000);
  EXPECT_EQ(last_connect_.time_out, 4000);  // 2 × tick
  EXPECT_NE(last_connect_.session_id, 0);
  EXPECT_EQ(last_connect_.passwd.size(), 16u);
  connect(100000);
  EXPECT_EQ(last_connect_.time_out, 40000);  // 20 × tick
  connect(6000);
  EXPECT_EQ(last_connect_.time_out, 6000);
}

TEST_F(core_test, connect_response_echoes_the_presence_of_the_read_only_byte) {
  const auto with = open();
  handler_->frame_received(with, connect_payload(0, std::string(16, '\0'), 30000, true));
  EXPECT_EQ(pop_raw(with).size(), 37u);
  const auto without = open();
  handler_->frame_received(without, connect_payload(0, std::string(16, '\0'), 30000, false));
  EXPECT_EQ(pop_raw(without).size(), 36u);
}

TEST_F(core_test, creating_a_session_consumes_a_zxid) {
  const auto before = handler_->last_zxid();
  connect();
  EXPECT_EQ(handler_->last_zxid(), before + 1);
}

TEST_F(core_test, resuming_a_session_closes_its_old_connection) {
  const auto first = connect();
  const auto session = last_connect_;
  const auto second = open();
  handler_->frame_received(second, connect_payload(session.session_id, session.passwd, 30000));
  const auto resumed = decode_as<proto::connect_response>(pop_raw(second));
  EXPECT_EQ(resumed.session_id, session.session_id);
  EXPECT_EQ(resumed.passwd, session.passwd);
  EXPECT_TRUE(sink_.closed.contains(first));
  EXPECT_FALSE(sink_.closed.contains(second));
  EXPECT_EQ(handler_->connection_of(session.session_id), second);
}

TEST_F(core_test, wrong_password_or_unknown_session_gets_the_zero_response_then_close) {
  connect();
  const auto session = last_connect_;
  for (const auto& [id, passwd] : {std::pair{session.session_id, std::string(16, '\1')},
                                   std::pair{session.session_id + 1000, std::string(16, '\0')}}) {
    const auto c = open();
    handler_->frame_received(c, connect_payload(id, passwd));
    EXPECT_EQ(to_hex(pop_raw(c)),
              "00000000000000000000000000000000000000100000000000000000000000000000000000");
    EXPECT_TRUE(sink_.closed.contains(c));
  }
}

TEST_F(core_test, client_ahead_of_the_server_is_closed_without_a_reply) {
  const auto c = open();
  handler_->frame_received(c, connect_payload(0, std::string(16, '\0'), 30000, true, 1'000'000));
  EXPECT_TRUE(idle(c));
  EXPECT_TRUE(sink_.closed.contains(c));
}

TEST_F(core_test, truncated_connect_request_closes_the_connection) {
  const auto c = open();
  handler_->frame_received(c, connect_payload().substr(0, 20));
  EXPECT_TRUE(idle(c));
  EXPECT_TRUE(sink_.closed.contains(c));
}

TEST_F(core_test, ping_replies_with_xid_minus_2_and_the_last_zxid) {
  const auto c = connect();
  handler_->frame_received(c, request(proto::xid::ping, opcode::ping));
  const auto r = pop(c);
  EXPECT_EQ(r.header.xid, -2);
  EXPECT_EQ(r.header.zxid, handler_->last_zxid());
  EXPECT_EQ(r.header.err, 0);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(core_test, close_session_deletes_ephemerals_notifies_then_replies_and_closes) {
  const auto owner = connect();
  const auto session = last_connect_;
  const auto watcher = connect();
  create(owner, "/app");
  create(owner, "/app/e", "", create_mode::ephemeral);
  call(watcher, opcode::get_children, proto::get_children_request{"/app", true});
  call(owner, opcode::get_children, proto::get_children_request{"/app", true});
  const auto before = handler_->last_zxid();
  const auto r = call(owner, opcode::close_session);
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_children_changed, "/app")});
  EXPECT_EQ(r.header.zxid, before + 1);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(sink_.closed.contains(owner));
  EXPECT_EQ(events(watcher), std::vector{event(event_type::node_children_changed, "/app")});
  EXPECT_EQ(call(watcher, opcode::exists, proto::exists_request{"/app/e", false}).header.err,
            static_cast<int>(error::no_node));
  // The session is gone: resuming it gets the expired response.
  const auto again = open();
  handler_->frame_received(again, connect_payload(session.session_id, session.passwd));
  EXPECT_EQ(decode_as<proto::connect_response>(pop_raw(again)).time_out, 0);
}

TEST_F(core_test, sessions_expire_in_tick_buckets_after_their_timeout) {
  const auto owner = connect(4000);
  const auto session = last_connect_.session_id;
  const auto watcher = connect(40000);
  create(owner, "/e", "", create_mode::ephemeral);
  call(watcher, opcode::exists, proto::exists_request{"/e", true});
  // Deadline = first tick boundary after now + 4000 ms.
  const auto deadline = ((steady_ + 4000) / 2000 + 1) * 2000;
  steady_ = deadline - 1;
  handler_->expire_due();
  EXPECT_FALSE(sink_.closed.contains(owner)) << "expired early";
  steady_ = deadline;
  handler_->expire_due();
  EXPECT_TRUE(sink_.closed.contains(owner));
  EXPECT_EQ(events(watcher), std::vector{event(event_type::node_deleted, "/e")});
  EXPECT_FALSE(handler_->connection_of(session));
}

TEST_F(core_test, any_request_keeps_a_session_alive) {
  const auto c = connect(4000);
  for (int i = 0; i < 10; ++i) {
    steady_ += 3000;
    handler_->frame_received(c, request(proto::xid::ping, opcode::ping));
    pop(c);
    handler_->expire_due();
  }
  EXPECT_FALSE(sink_.closed.contains(c));
}

TEST_F(core_test, a_closed_connection_leaves_the_session_until_it_expires) {
  const auto c = connect(4000);
  const auto session = last_connect_;
  handler_->connection_closed(c);
  const auto again = open();
  handler_->frame_received(again, connect_payload(session.session_id, session.passwd, 4000));
  EXPECT_EQ(decode_as<proto::connect_response>(pop_raw(again)).session_id, session.session_id);
}

TEST_F(core_test, expire_session_hook_expires_at_once) {
  const auto c = connect();
  create(c, "/e", "", create_mode::ephemeral);
  EXPECT_TRUE(handler_->expire_session(last_connect_.session_id));
  EXPECT_TRUE(sink_.closed.contains(c));
  EXPECT_FALSE(handler_->expire_session(last_connect_.session_id));
  EXPECT_FALSE(handler_->tree().find("/e"));
}

TEST_F(core_test, unknown_opcode_gets_unimplemented_with_zxid_minus_1_then_close) {
  const auto c = connect();
  handler_->frame_received(c, request(7, static_cast<opcode>(999)));
  const auto r = pop(c);
  EXPECT_EQ(r.header.xid, 7);
  EXPECT_EQ(r.header.zxid, -1);
  EXPECT_EQ(r.header.err, static_cast<int>(error::unimplemented));
  EXPECT_TRUE(sink_.closed.contains(c));
}

TEST_F(core_test, standalone_check_takes_a_zxid_and_sends_nothing) {
  const auto c = connect();
  const auto before = handler_->last_zxid();
  handler_->frame_received(c, request(5, opcode::check, proto::check_version_request{"/", 0}));
  EXPECT_TRUE(idle(c));
  EXPECT_EQ(handler_->last_zxid(), before + 1);
  EXPECT_FALSE(sink_.closed.contains(c));
}

TEST_F(core_test, malformed_body_gets_marshalling_error_and_writes_still_take_a_zxid) {
  const auto c = connect();
  const auto bad_path = from_hex("000000322f6162");  // length 50, 3 bytes follow
  const auto before = handler_->last_zxid();
  handler_->frame_received(c, request(1, opcode::get_data) + bad_path);
  auto r = pop(c);
  EXPECT_EQ(r.header.err, static_cast<int>(error::marshalling_error));
  EXPECT_EQ(r.header.zxid, before);
  handler_->frame_received(c, request(2, opcode::create) + bad_path);
  r = pop(c);
  EXPECT_EQ(r.header.err, static_cast<int>(error::marshalling_error));
  EXPECT_EQ(r.header.zxid, before + 1);
  EXPECT_FALSE(sink_.closed.contains(c)) << "the connection stays open";
}

TEST_F(core_test, frame_shorter_than_a_request_header_closes_the_connection) {
  const auto c = connect();
  handler_->frame_received(c, "\0\0\0");
  EXPECT_TRUE(sink_.closed.contains(c));
}

TEST_F(core_test, reconfig_is_disabled) {
  const auto c = connect();
  const auto r = call(c, opcode::reconfig, proto::reconfig_request{});
  EXPECT_EQ(r.header.err, static_cast<int>(error::reconfig_disabled));
}

TEST_F(core_test, who_am_i_lists_digest_users_then_the_address) {
  const auto c = connect();
  EXPECT_EQ(auth(c, "user:password").header.err, 0);
  const auto r = call(c, opcode::who_am_i);
  const auto who = decode_as<proto::who_am_i_response>(r.body);
  EXPECT_EQ(who.client_info, (std::vector<client_info>{{"digest", "user"}, {"ip", "127.0.0.1"}}));
}

TEST_F(core_test, auth_with_unknown_scheme_fails_and_closes) {
  const auto c = connect();
  EXPECT_EQ(auth(c, "x", "nosuchscheme").header.err, static_cast<int>(error::auth_failed));
  EXPECT_TRUE(sink_.closed.contains(c));
}

TEST_F(core_test, four_letter_words_follow_the_whitelist) {
  const auto word = [](const char* w) {
    return std::uint32_t(std::uint8_t(w[0])) << 24 | std::uint32_t(std::uint8_t(w[1])) << 16 |
           std::uint32_t(std::uint8_t(w[2])) << 8 | std::uint32_t(std::uint8_t(w[3]));
  };
  EXPECT_EQ(handler_->four_letter_word(open(), word("ruok")),
            "ruok is not executed because it is not in the whitelist.\n");
  EXPECT_FALSE(handler_->four_letter_word(open(), 0x2d));  // a frame length
  const auto srvr = handler_->four_letter_word(open(), word("srvr"));
  ASSERT_TRUE(srvr);
  EXPECT_TRUE(srvr->starts_with("Zookeeper version: 3.8.0")) << *srvr;
  EXPECT_NE(srvr->find("\nMode: standalone\nNode count: 4\n"), std::string::npos) << *srvr;
  EXPECT_NE(srvr->find("Latency min/avg/max: 0/0.0/0\n"), std::string::npos) << *srvr;

  make_handler({.four_letter_whitelist = {"*"}});
  EXPECT_EQ(handler_->four_letter_word(open(), word("ruok")), "imok");
  const auto c = connect();
  create(c, "/w");
  call(c, opcode::get_data, proto::get_data_request{"/w", true});
  call(c, opcode::exists, proto::exists_request{"/x", true});
  call(c, opcode::get_children, proto::get_children_request{"/w", true});
  EXPECT_EQ(handler_->four_letter_word(open(), word("wchs")),
            "1 connections watching 2 paths\nTotal watches:2\n");
  char sid[32];
  std::snprintf(sid, sizeof sid, "0x%llx",
                static_cast<unsigned long long>(last_connect_.session_id));
  EXPECT_EQ(handler_->four_letter_word(open(), word("wchc")),
            std::string{sid} + "\n\t/w\n\t/x\n\n");
  EXPECT_EQ(handler_->four_letter_word(open(), word("wchp")),
            std::string{"/w\n\t"} + sid + "\n/x\n\t" + sid + "\n\n");
  const auto cons = handler_->four_letter_word(open(), word("cons"));
  EXPECT_NE(cons->find(std::string{",sid="} + sid + ",lop=GETC,est="), std::string::npos) << *cons;
  const auto mntr = handler_->four_letter_word(open(), word("mntr"));
  EXPECT_NE(mntr->find("zk_server_state\tstandalone\n"), std::string::npos) << *mntr;
  EXPECT_NE(mntr->find("zk_watch_count\t3\n"), std::string::npos) << *mntr;
  const auto conf = handler_->four_letter_word(open(), word("conf"));
  EXPECT_NE(conf->find("tickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\n"
                       "maxSessionTimeout=40000\n"),
            std::string::npos)
      << *conf;
  create(c, "/e", "", create_mode::ephemeral);
  const auto dump = handler_->four_letter_word(open(), word("dump"));
  EXPECT_NE(dump->find(std::string{"Sessions with Ephemerals (1):\n"} + sid + ":\n\t/e\n"),
            std::string::npos)
      << *dump;
  EXPECT_TRUE(handler_->four_letter_word(open(), word("envi"))->starts_with("Environment:\n"));
  EXPECT_TRUE(handler_->four_letter_word(open(), word("stat"))->find("Clients:\n /127.0.0.1:") !=
              std::string::npos);
}

}  // namespace
}  // namespace zkpp::test
