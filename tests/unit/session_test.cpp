// The sans-io session, byte for byte: no sockets, a fake clock.

#include <gtest/gtest.h>

#include "session.hpp"
#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/detail/request_factory.hpp"
#include "zkpp/error.hpp"
#include "zkpp/test/hex.hpp"

namespace zkpp::detail {
namespace {

using namespace std::chrono_literals;
using proto::opcode;

struct recorded {
  std::error_code ec;
  std::string body;
};

class recording_handler final : public reply_handler {
 public:
  explicit recording_handler(std::vector<recorded>& out) : out_(out) {}
  void on_reply(std::error_code ec, std::string_view body, const reply_context&) override {
    out_.push_back({ec, std::string{body}});
  }

 private:
  std::vector<recorded>& out_;
};

std::string frame(std::string_view payload) {
  std::string out;
  jute::writer w{out};
  w.put(static_cast<std::int32_t>(payload.size()));
  out.append(payload);
  return out;
}

template <class... Records>
std::string reply(std::int32_t xid, std::int64_t zxid, std::int32_t err, const Records&... body) {
  std::string payload = jute::encode(proto::reply_header{xid, zxid, err});
  ((payload += jute::encode(body)), ...);
  return frame(payload);
}

std::string connect_response(std::int32_t timeout, std::int64_t session_id, char password_byte) {
  std::string payload = jute::encode(proto::connect_response{
      0, timeout, session_id, std::string(proto::session_password_size, password_byte)});
  payload.push_back('\0');
  return frame(payload);
}

class session_test : public ::testing::Test {
 protected:
  session_test() : s_(session::config{6000ms, false, 0xfffff, ""}) {
    s_.on_state = [this](session_state st) { states_.push_back(st); };
  }

  void establish(std::int64_t id = 0x1234) {
    s_.begin_handshake(now_);
    s_.output().clear();
    ASSERT_FALSE(s_.receive(connect_response(6000, id, 'p'), now_));
  }

  request with_handler(request r) {
    r.handler = std::make_unique<recording_handler>(replies_);
    return r;
  }

  std::string take_output() {
    std::string out = std::move(s_.output());
    s_.output().clear();
    return out;
  }

  session s_;
  request_factory factory_{""};
  session::clock::time_point now_{};
  std::vector<recorded> replies_;
  std::vector<session_state> states_;
};

TEST_F(session_test, handshake_sends_the_golden_connect_request) {
  session s{session::config{30000ms, false, 0xfffff, ""}};
  s.begin_handshake({});
  // frame.ConnectRequest.new_session.readOnly_false from vectors.json
  const std::string expected_hex =
      "0000002d000000000000000000000000000075300000000000000000000000100000000000000000000000000000"
      "000000";
  EXPECT_EQ(test::to_hex(s.output()), expected_hex);
}

TEST_F(session_test, connect_response_establishes_the_session) {
  establish(0x77);
  EXPECT_EQ(s_.phase(), session::phase::connected);
  EXPECT_EQ(s_.session_id(), 0x77);
  EXPECT_EQ(s_.password(), std::string(16, 'p'));
  EXPECT_EQ(s_.negotiated_timeout(), 6000ms);
  EXPECT_EQ(states_, std::vector<session_state>{session_state::connected});
}

TEST_F(session_test, requests_queued_before_the_handshake_go_out_after_it) {
  s_.submit(with_handler(factory_.get_data("/a", {})), now_);
  s_.begin_handshake(now_);
  take_output();
  ASSERT_FALSE(s_.receive(connect_response(6000, 1, 'p'), now_));
  // frame.request.getData without watch, xid 1
  const auto out = take_output();
  EXPECT_EQ(out, frame(jute::encode(proto::request_header{1, 4}) +
                       jute::encode(proto::get_data_request{"/a", false})));
}

TEST_F(session_test, replies_complete_requests_in_order_and_advance_the_zxid) {
  establish();
  s_.submit(with_handler(factory_.exists("/a", {})), now_);
  s_.submit(with_handler(factory_.exists("/b", {})), now_);
  EXPECT_EQ(s_.in_flight(), 2u);
  ASSERT_FALSE(s_.receive(reply(1, 10, 0, proto::exists_response{}) + reply(2, 11, -101), now_));
  ASSERT_EQ(replies_.size(), 2u);
  EXPECT_FALSE(replies_[0].ec);
  EXPECT_EQ(replies_[0].body.size(), 68u);
  EXPECT_EQ(replies_[1].ec, error::no_node);
  EXPECT_EQ(s_.last_zxid(), 11);
}

TEST_F(session_test, a_reply_split_across_reads_is_reassembled) {
  establish();
  s_.submit(with_handler(factory_.sync("/x")), now_);
  const auto bytes = reply(1, 5, 0, proto::sync_response{"/x"});
  for (char c : bytes) ASSERT_FALSE(s_.receive(std::string_view{&c, 1}, now_));
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_FALSE(replies_[0].ec);
}

TEST_F(session_test, replies_cut_anywhere_by_two_reads_all_arrive_whole) {
  const std::vector<std::string> paths{"/a", "/bb", "/ccc"};
  std::string bytes;
  for (std::size_t i = 0; i < paths.size(); ++i)
    bytes += reply(static_cast<std::int32_t>(i + 1), 5, 0, proto::sync_response{paths[i]});
  for (std::size_t first = 0; first <= bytes.size(); ++first) {
    for (std::size_t second = first; second <= bytes.size(); ++second) {
      session s{session::config{6000ms, false, 0xfffff, ""}};
      std::vector<recorded> got;
      s.begin_handshake(now_);
      ASSERT_FALSE(s.receive(connect_response(6000, 1, 'p'), now_));
      for (const auto& p : paths) {
        auto r = factory_.sync(p);
        r.handler = std::make_unique<recording_handler>(got);
        s.submit(std::move(r), now_);
      }
      const std::string_view all{bytes};
      ASSERT_FALSE(s.receive(all.substr(0, first), now_));
      ASSERT_FALSE(s.receive(all.substr(first, second - first), now_));
      ASSERT_FALSE(s.receive(all.substr(second), now_));
      ASSERT_EQ(got.size(), paths.size()) << "cut at " << first << " and " << second;
      for (std::size_t i = 0; i < paths.size(); ++i)
        EXPECT_EQ(got[i].body, jute::encode(proto::sync_response{paths[i]}))
            << "reply " << i << ", cut at " << first << " and " << second;
    }
  }
}

TEST_F(session_test, a_reply_out_of_order_is_a_protocol_error) {
  establish();
  s_.submit(with_handler(factory_.sync("/x")), now_);
  EXPECT_EQ(s_.receive(reply(9, 5, 0), now_), error::protocol_error);
}

TEST_F(session_test, oversized_or_negative_frame_length_is_refused) {
  establish();
  std::string huge;
  jute::writer{huge}.put(std::int32_t{0x100000});
  EXPECT_EQ(s_.receive(huge, now_), error::frame_too_large);
  session other{session::config{6000ms, false, 0xfffff, ""}};
  other.begin_handshake({});
  std::string negative;
  jute::writer{negative}.put(std::int32_t{-5});
  EXPECT_EQ(other.receive(negative, {}), error::frame_too_large);
}

TEST_F(session_test, watch_registered_by_the_read_fires_before_the_next_reply) {
  establish();
  std::vector<std::string> order;
  auto r =
      factory_.get_data("/w", [&](const watch_event& e) { order.push_back("event " + e.path); });
  s_.submit(with_handler(std::move(r)), now_);
  ASSERT_FALSE(s_.receive(reply(1, 3, 0, proto::get_data_response{"v", {}}), now_));
  s_.submit(with_handler(factory_.sync("/w")), now_);
  ASSERT_FALSE(s_.receive(reply(-1, -1, 0, proto::watcher_event{3, 3, "/w"}) +
                              reply(2, 4, 0, proto::sync_response{"/w"}),
                          now_));
  ASSERT_EQ(order, std::vector<std::string>{"event /w"});
  EXPECT_EQ(replies_.size(), 2u);
  ASSERT_FALSE(s_.receive(reply(-1, -1, 0, proto::watcher_event{3, 3, "/w"}), now_));
  EXPECT_EQ(order.size(), 1u) << "one-shot watch fired twice";
}

TEST_F(session_test, idle_session_pings_and_silent_server_is_a_lost_connection) {
  establish();
  take_output();
  EXPECT_FALSE(s_.tick(now_ + 1999ms));
  EXPECT_TRUE(s_.output().empty());
  EXPECT_FALSE(s_.tick(now_ + 2000ms));
  EXPECT_EQ(take_output(), frame(jute::encode(proto::request_header{-2, 11})));
  EXPECT_EQ(s_.next_tick(), now_ + 4000ms);
  EXPECT_EQ(s_.tick(now_ + 4000ms), error::connection_loss);
}

TEST_F(session_test, lost_transport_fails_in_flight_requests_in_order_then_resumes) {
  establish(0x55);
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    auto r = factory_.sync("/x");
    struct ordered final : reply_handler {
      std::vector<int>& order;
      int i;
      ordered(std::vector<int>& o, int n) : order(o), i(n) {}
      void on_reply(std::error_code ec, std::string_view, const reply_context&) override {
        EXPECT_EQ(ec, error::connection_loss);
        order.push_back(i);
      }
    };
    r.handler = std::make_unique<ordered>(order, i);
    s_.submit(std::move(r), now_);
  }
  s_.transport_lost();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(states_.back(), session_state::suspended);

  // The next handshake resumes the same session with its password.
  s_.begin_handshake(now_);
  proto::connect_request req;
  jute::reader rd{std::string_view{s_.output()}.substr(4)};
  rd.get(req);
  EXPECT_EQ(req.session_id, 0x55);
  EXPECT_EQ(req.passwd, std::string(16, 'p'));
  take_output();
  ASSERT_FALSE(s_.receive(connect_response(6000, 0x55, 'p'), now_));
  EXPECT_EQ(states_.back(), session_state::reconnected);
}

TEST_F(session_test, after_reconnect_auth_then_watches_are_sent_first) {
  establish(0x9);
  s_.submit(with_handler(factory_.add_auth("digest", "u:p")), now_);
  ASSERT_FALSE(s_.receive(reply(-4, 0, 0), now_));
  s_.submit(with_handler(factory_.exists("/e", [](const watch_event&) {})), now_);
  ASSERT_FALSE(s_.receive(reply(1, 20, -101), now_));
  s_.transport_lost();
  s_.begin_handshake(now_);
  take_output();
  ASSERT_FALSE(s_.receive(connect_response(6000, 0x9, 'p'), now_));
  const auto expected = frame(jute::encode(proto::request_header{-4, 100}) +
                              jute::encode(proto::auth_packet{0, "digest", std::string{"u:p"}})) +
                        frame(jute::encode(proto::request_header{2, 105}) +
                              jute::encode(proto::set_watches2{20, {}, {"/e"}, {}, {}, {}}));
  EXPECT_EQ(take_output(), expected);
}

TEST_F(session_test, expired_session_fails_everything_and_tells_watchers) {
  establish(0x5);
  std::vector<watch_event> events;
  s_.submit(with_handler(factory_.exists("/e", [&](const watch_event& e) { events.push_back(e); })),
            now_);
  ASSERT_FALSE(s_.receive(reply(1, 2, 0, proto::exists_response{}), now_));
  s_.transport_lost();
  s_.submit(with_handler(factory_.sync("/q")), now_);
  s_.begin_handshake(now_);
  EXPECT_EQ(s_.receive(connect_response(0, 0, '\0'), now_), error::session_expired);
  EXPECT_EQ(s_.phase(), session::phase::expired);
  EXPECT_EQ(states_.back(), session_state::lost);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, keeper_state::expired);
  EXPECT_EQ(replies_.back().ec, error::session_expired);
  s_.submit(with_handler(factory_.sync("/q")), now_);
  EXPECT_EQ(replies_.back().ec, error::session_expired);
}

TEST_F(session_test, read_only_server_is_reported_as_read_only) {
  session s{session::config{6000ms, true, 0xfffff, ""}};
  std::vector<session_state> states;
  s.on_state = [&](session_state st) { states.push_back(st); };
  s.begin_handshake({});
  EXPECT_EQ(s.output().back(), '\1') << "canBeReadOnly byte";
  std::string payload = jute::encode(proto::connect_response{0, 6000, 7, std::string(16, 'p')});
  payload.push_back('\1');
  ASSERT_FALSE(s.receive(frame(payload), {}));
  EXPECT_EQ(states, std::vector<session_state>{session_state::read_only});
}

TEST_F(session_test, many_watches_are_re_armed_in_frames_of_at_most_128_kib) {
  establish(0x3);
  const std::string long_name(1000, 'w');
  constexpr int count = 300;  // ~300 KB of paths: three frames
  for (int i = 0; i < count; ++i) {
    s_.submit(with_handler(
                  factory_.exists("/" + long_name + std::to_string(i), [](const watch_event&) {})),
              now_);
    ASSERT_FALSE(s_.receive(reply(i + 1, 9, -101), now_));
  }
  s_.transport_lost();
  s_.begin_handshake(now_);
  take_output();
  ASSERT_FALSE(s_.receive(connect_response(6000, 0x3, 'p'), now_));
  const auto out = take_output();
  std::size_t frames = 0, paths = 0;
  for (std::size_t at = 0; at < out.size();) {
    std::int32_t len = 0;
    ASSERT_TRUE(jute::decode(std::string_view{out}.substr(at, 4), len));
    EXPECT_LE(len, 128 * 1024 + 64);
    jute::reader body{std::string_view{out}.substr(at + 4, static_cast<std::size_t>(len))};
    proto::request_header h;
    proto::set_watches2 sw;
    body.get(h);
    body.get(sw);
    ASSERT_TRUE(body.ok()) << "frame " << frames;
    EXPECT_EQ(h.type, 105);
    EXPECT_EQ(sw.relative_zxid, 9);
    paths += sw.exist_watches.size();
    ++frames;
    at += 4 + static_cast<std::size_t>(len);
  }
  EXPECT_EQ(paths, static_cast<std::size_t>(count));
  EXPECT_GE(frames, 3u);
}

TEST_F(session_test, invalid_request_completes_without_being_sent) {
  establish();
  take_output();
  s_.submit(with_handler(factory_.get_data("no-slash", {})), now_);
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].ec, error::bad_arguments);
  EXPECT_TRUE(s_.output().empty());
}

}  // namespace
}  // namespace zkpp::detail
