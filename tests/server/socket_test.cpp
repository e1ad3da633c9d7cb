// The server over real loopback sockets: raw frames against an in-process
// zkpp::server on port 0.

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "raw_client.hpp"
#include "zkpp/server.hpp"

namespace zkpp::test {
namespace {

class socket_test : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(server_options o) {
    if (server_) server_->stop();
    o.port = 0;
    server_ = std::make_unique<server>(o);
    server_->start();
  }

  std::unique_ptr<raw_client> client() { return std::make_unique<raw_client>(server_->port()); }

  std::unique_ptr<raw_client> session(std::int32_t timeout_ms = 30000,
                                      proto::connect_response* out = nullptr) {
    auto c = client();
    const auto r = c->handshake(0, std::string(16, '\0'), timeout_ms);
    EXPECT_NE(r.session_id, 0);
    if (out) *out = r;
    return c;
  }

  // Pings until the watch on `ephemeral` fires: its silent session expired.
  static void ping_until_expired(raw_client& watcher, const std::string& ephemeral) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (std::chrono::steady_clock::now() < deadline) {
      watcher.send_frame(request(proto::xid::ping, opcode::ping));
      const auto r = watcher.read_reply("a ping reply or the NodeDeleted of the expired ephemeral");
      if (r.header.xid == proto::xid::notification) {
        EXPECT_EQ(decode_as<proto::watcher_event>(r.body).path, ephemeral);
        return;
      }
    }
    ADD_FAILURE() << "no NodeDeleted of " << ephemeral << " in " << wait_limit.count()
                  << " s of pinging: its session did not expire";
  }

  std::unique_ptr<server> server_;
};

TEST_F(socket_test, connect_string_names_the_bound_port) {
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(server_->connect_string(), "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(server_->endpoint().address, "127.0.0.1");
}

TEST_F(socket_test, handshake_ping_and_crud) {
  auto c = session();
  c->send_bytes(from_hex("00000008fffffffe0000000b"));
  const auto ping = c->read_reply("the ping reply");
  EXPECT_EQ(ping.header.xid, -2);
  EXPECT_EQ(ping.header.zxid, server_->last_zxid());
  auto r = c->call(opcode::create, create_req("/app", "hello"));
  EXPECT_EQ(decode_as<proto::create_response>(r.body).path, "/app");
  r = c->call(opcode::get_data, proto::get_data_request{"/app", false});
  const auto data = decode_as<proto::get_data_response>(r.body);
  EXPECT_EQ(data.data, "hello");
  EXPECT_EQ(r.body.size(), 9u + 68u);
  r = c->call(opcode::get_data, proto::get_data_request{"/missing", false});
  EXPECT_EQ(r.header.err, code(error::no_node));
  EXPECT_TRUE(r.body.empty());
  r = c->call(opcode::remove, proto::delete_request{"/app", -1});
  EXPECT_EQ(r.header.err, 0);
}

TEST_F(socket_test, notification_precedes_the_reply_to_the_change) {
  auto c = session();
  c->call(opcode::create, create_req("/n", "1"));
  c->call(opcode::get_data, proto::get_data_request{"/n", true});
  c->send_frame(request(c->next_xid(), opcode::set_data, proto::set_data_request{"/n", "2", -1}));
  EXPECT_EQ(to_hex(c->read_frame("the notification before the setData reply")),
            "ffffffff"
            "ffffffffffffffff"
            "00000000"  // xid -1, zxid -1, err 0
            "00000003"
            "00000003"
            "00000002"
            "2f6e");  // NodeDataChanged, SyncConnected, "/n"
  const auto second = c->read_reply("the setData reply");
  EXPECT_EQ(second.header.xid, 3);
}

TEST_F(socket_test, other_sessions_get_notifications) {
  auto watcher = session();
  auto writer = session();
  EXPECT_EQ(watcher->call(opcode::exists, proto::exists_request{"/later", true}).header.err,
            code(error::no_node));
  writer->call(opcode::create, create_req("/later"));
  const auto e = watcher->read_event("NodeCreated /later on the watching session");
  EXPECT_EQ(e.type, static_cast<int>(event_type::node_created));
  EXPECT_EQ(e.path, "/later");
}

TEST_F(socket_test, pipelined_requests_are_answered_in_order) {
  auto c = session();
  std::string batch;
  for (int i = 1; i <= 200; ++i)
    batch += with_length(request(i, opcode::create, create_req("/p" + std::to_string(i))));
  c->send_bytes(batch);
  for (int i = 1; i <= 200; ++i) {
    const auto r = c->read_reply("reply " + std::to_string(i) + " of 200 pipelined creates");
    ASSERT_EQ(r.header.xid, i);
    ASSERT_EQ(r.header.err, 0);
  }
}

// A getData reply sends large data from the tree's own block. Replies still
// waiting to be written (the client reads nothing until the end) must keep
// the data they read, even when a setData behind them on the same
// connection changes the node to data of the same size.
TEST_F(socket_test, replies_waiting_to_be_written_keep_the_data_they_read) {
  auto c = session();
  const std::string before(900 * 1024, 'a'), after(900 * 1024, 'b');
  ASSERT_EQ(c->call(opcode::create, create_req("/big", before)).header.err, 0);
  // 40 replies of 900 KiB are far more than loopback socket buffers hold.
  constexpr int gets = 40;
  std::string batch;
  std::int32_t xid = 100;
  for (int i = 0; i < gets; ++i)
    batch += with_length(request(++xid, opcode::get_data, proto::get_data_request{"/big", false}));
  batch +=
      with_length(request(++xid, opcode::set_data, proto::set_data_request{"/big", after, -1}));
  for (int i = 0; i < gets; ++i)
    batch += with_length(request(++xid, opcode::get_data, proto::get_data_request{"/big", false}));
  c->send_bytes(batch);
  xid = 100;
  for (int i = 0; i < 2 * gets + 1; ++i) {
    const auto what = "reply " + std::to_string(i + 1) + " of " + std::to_string(2 * gets + 1);
    const auto r = c->read_reply(what);
    ASSERT_EQ(r.header.xid, ++xid) << what;
    ASSERT_EQ(r.header.err, 0) << what;
    if (i == gets) continue;  // the setData
    const auto data = decode_as<proto::get_data_response>(r.body).data;
    ASSERT_TRUE(data.has_value()) << what;
    ASSERT_TRUE(*data == (i < gets ? before : after))
        << what << ": " << data->size() << " bytes starting with '" << data->front()
        << "', expected the data as of the request";
  }
}

TEST_F(socket_test, four_letter_words_reply_and_close) {
  start({.four_letter_whitelist = {"ruok", "srvr"}});
  auto c = client();
  c->send_bytes("ruok");
  EXPECT_EQ(c->read_until_eof("the ruok reply"), "imok");
  c = client();
  c->send_bytes("mntr");
  EXPECT_EQ(c->read_until_eof("the mntr refusal"),
            "mntr is not executed because it is not in the whitelist.\n");
  c = client();
  c->send_bytes("srvr");
  EXPECT_NE(c->read_until_eof("the srvr reply").find("Mode: standalone\n"), std::string::npos);
}

TEST_F(socket_test, bad_frame_lengths_drop_only_that_connection) {
  start({.max_buffer = 1000});
  auto good = session();
  auto big = session();
  std::string setdata = request(1, opcode::set_data, proto::set_data_request{"/", "", -1});
  // A frame of exactly max_buffer bytes is accepted.
  setdata = request(1, opcode::set_data,
                    proto::set_data_request{"/", std::string(1000 - setdata.size(), 'x'), -1});
  ASSERT_EQ(setdata.size(), 1000u);
  big->send_frame(setdata);
  EXPECT_EQ(big->read_reply("the reply to a max_buffer-sized frame").header.err, 0);
  big->send_bytes(from_hex("000003e9"));  // 1001
  EXPECT_TRUE(big->closed_by_server("the close after an oversized length"));
  auto negative = session();
  negative->send_bytes(from_hex("ffffffff"));
  EXPECT_TRUE(negative->closed_by_server("the close after a negative length"));
  EXPECT_EQ(good->call(opcode::exists, proto::exists_request{"/", false}).header.err, 0);
}

TEST_F(socket_test, client_vanishing_mid_frame_does_not_disturb_others) {
  auto good = session();
  for (int i = 0; i < 20; ++i) {
    auto gone = session();
    gone->send_bytes(from_hex("00000064") + std::string(10, 'x'));
    gone->close();
    auto half = client();
    half->send_bytes(from_hex("0000002d00000000"));
    half->close();
  }
  EXPECT_EQ(good->call(opcode::exists, proto::exists_request{"/", false}).header.err, 0);
  auto fresh = session();
  EXPECT_EQ(fresh->call(opcode::get_children, proto::get_children_request{"/", false}).header.err,
            0);
}

TEST_F(socket_test, unknown_opcode_closes_after_unimplemented) {
  auto c = session();
  c->send_frame(request(1, static_cast<opcode>(999)));
  EXPECT_EQ(to_hex(with_length(c->read_frame("the UNIMPLEMENTED reply"))),
            "0000001000000001fffffffffffffffffffffffa");
  EXPECT_TRUE(c->closed_by_server("the close after UNIMPLEMENTED"));
}

TEST_F(socket_test, close_session_replies_then_closes) {
  auto c = session();
  EXPECT_EQ(c->call(opcode::close_session).header.err, 0);
  EXPECT_TRUE(c->closed_by_server("the close after closeSession"));
}

TEST_F(socket_test, resuming_elsewhere_closes_the_old_socket) {
  proto::connect_response s;
  auto first = session(30000, &s);
  auto second = client();
  const auto r = second->handshake(s.session_id, s.passwd);
  EXPECT_EQ(r.session_id, s.session_id);
  EXPECT_TRUE(first->closed_by_server("the old connection's close after the session moved"));
  EXPECT_EQ(second->call(opcode::exists, proto::exists_request{"/", false}).header.err, 0);
}

TEST_F(socket_test, expire_session_hook_closes_and_the_session_is_gone) {
  proto::connect_response s;
  auto c = session(30000, &s);
  auto watcher = session();
  c->call(opcode::create, create_req("/e", "", create_mode::ephemeral));
  watcher->call(opcode::exists, proto::exists_request{"/e", true});
  EXPECT_TRUE(server_->expire_session(s.session_id));
  EXPECT_TRUE(c->closed_by_server("the close of the expired session"));
  EXPECT_EQ(watcher->read_event("NodeDeleted of the expired session's ephemeral").type,
            static_cast<int>(event_type::node_deleted));
  auto again = client();
  EXPECT_EQ(to_hex(with_length(again->read_frame_after_handshake(s))),
            "0000002500000000000000000000000000000000000000100000000000000000000000000000000000");
  EXPECT_TRUE(again->closed_by_server("the close after the expired-session response"));
}

TEST_F(socket_test, dropped_connections_keep_their_sessions) {
  proto::connect_response s;
  auto c = session(30000, &s);
  c->call(opcode::create, create_req("/e", "", create_mode::ephemeral));
  server_->drop_connections();
  EXPECT_TRUE(c->closed_by_server("the close by drop_connections"));
  auto again = client();
  EXPECT_EQ(again->handshake(s.session_id, s.passwd).session_id, s.session_id);
  EXPECT_EQ(again->call(opcode::exists, proto::exists_request{"/e", false}).header.err, 0);
  EXPECT_TRUE(server_->drop_session_connection(s.session_id));
  EXPECT_TRUE(again->closed_by_server("the close by drop_session_connection"));
  EXPECT_FALSE(server_->drop_session_connection(s.session_id));
}

TEST_F(socket_test, sessions_expire_by_timer) {
  start({.tick_time = std::chrono::milliseconds{20}});
  auto watcher = session(30000);
  proto::connect_response s;
  auto c = session(40, &s);
  EXPECT_EQ(s.time_out, 40);
  c->call(opcode::create, create_req("/e", "", create_mode::ephemeral));
  watcher->call(opcode::exists, proto::exists_request{"/e", true});
  // The short session stays silent and expires; the watcher keeps pinging.
  ping_until_expired(*watcher, "/e");
  EXPECT_TRUE(c->closed_by_server("the close of the expired session"));
}

TEST_F(socket_test, a_connection_without_a_session_is_closed_after_the_sessionless_timeout) {
  start({.tick_time = std::chrono::milliseconds{20},
         .sessionless_timeout = std::chrono::milliseconds{100}});
  auto kept = session();
  auto silent = client();
  EXPECT_TRUE(silent->closed_by_server("the close of a connection that sent no ConnectRequest"));
  // A connection with a session is not touched.
  const auto r = kept->call(opcode::exists, proto::exists_request{"/", false});
  EXPECT_EQ(r.header.err, 0);
}

TEST_F(socket_test, emptied_containers_are_reaped_by_timer) {
  start({.reap_interval = std::chrono::milliseconds{10}});
  auto c = session();
  c->call(opcode::create_container, create_req("/box", "", create_mode::container));
  c->call(opcode::create, create_req("/box/item"));
  c->call(opcode::exists, proto::exists_request{"/box", true});
  c->call(opcode::remove, proto::delete_request{"/box/item", -1});
  const auto e = c->read_event("NodeDeleted of the reaped container");
  EXPECT_EQ(e.path, "/box");
}

TEST_F(socket_test, many_clients_at_once) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      auto c = session();
      for (int i = 0; i < 25; ++i) {
        const auto path = "/t" + std::to_string(t) + "-" + std::to_string(i);
        if (c->call(opcode::create, create_req(path, "", create_mode::ephemeral)).header.err == 0)
          ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 200);
}

// With idle polling the server's thread mostly polls instead of blocking:
// dense round trips keep its window open, while its timers still fire (the
// short session expires) and stop() still ends it.
TEST_F(socket_test, an_idle_polling_server_answers_runs_its_timers_and_stops) {
  start({.tick_time = std::chrono::milliseconds{20}, .idle_poll = std::chrono::microseconds{200}});
  auto watcher = session(30000);
  for (int i = 0; i < 300; ++i) {
    const auto path = "/n" + std::to_string(i);
    watcher->call(opcode::create, create_req(path, std::to_string(i)));
    const auto r = watcher->call(opcode::get_data, proto::get_data_request{path, false});
    ASSERT_EQ(decode_as<proto::get_data_response>(r.body).data, std::to_string(i));
  }
  // Created after the dense round trips, so that its expiry comes while the
  // watcher waits for it (a notification read by call() would be lost).
  auto c = session(40);
  c->call(opcode::create, create_req("/e", "", create_mode::ephemeral));
  ASSERT_EQ(watcher->call(opcode::exists, proto::exists_request{"/e", true}).header.err, 0)
      << "the short session expired before its ephemeral was watched";
  ping_until_expired(*watcher, "/e");
  server_->stop();
  EXPECT_TRUE(watcher->closed_by_server("the close by stop() of an idle-polling server"));
}

TEST_F(socket_test, stop_closes_every_connection) {
  auto c = session();
  server_->stop();
  EXPECT_TRUE(c->closed_by_server("the close by stop()"));
}

}  // namespace
}  // namespace zkpp::test
