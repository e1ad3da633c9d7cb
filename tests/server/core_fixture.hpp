#pragma once

// Drives the sans-io request_handler directly: frames in, frames out, a
// manual clock; no sockets, no threads.

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <set>

#include "frames.hpp"
#include "zkpp/detail/server/request_handler.hpp"

namespace zkpp::test {

using namespace detail::server;

struct recording_sink final : output_sink {
  std::map<connection_id, std::deque<std::string>> frames;  // payloads
  std::set<connection_id> closed;

  void send(connection_id to, std::string frame) override {
    jute::reader r{frame};
    std::int32_t length = 0;
    r.get(length);
    EXPECT_EQ(static_cast<std::size_t>(length), frame.size() - 4) << "frame length prefix";
    frames[to].push_back(frame.substr(4));
  }
  void close(connection_id c) override { closed.insert(c); }
};

class core_test : public ::testing::Test {
 protected:
  void SetUp() override { make_handler({}); }

  void make_handler(server_options o) {
    o.tick_time = std::chrono::milliseconds{2000};
    options_ = o;
    handler_ = std::make_unique<request_handler>(
        o, sink_, server_clock{[this] { return wall_; }, [this] { return steady_; }});
  }

  connection_id open(std::string address = "127.0.0.1") {
    const auto id = next_id_++;
    handler_->connection_opened(id, std::move(address), static_cast<std::uint16_t>(40000 + id));
    return id;
  }

  // A new connection with a new session; returns the connection.
  connection_id connect(std::int32_t timeout_ms = 30000, std::string address = "127.0.0.1") {
    const auto c = open(std::move(address));
    handler_->frame_received(c, connect_payload(0, std::string(16, '\0'), timeout_ms));
    last_connect_ = decode_as<proto::connect_response>(pop_raw(c));
    return c;
  }

  std::string pop_raw(connection_id c) {
    auto& q = sink_.frames[c];
    if (q.empty()) throw std::runtime_error("no frame was sent to connection " + std::to_string(c));
    auto f = std::move(q.front());
    q.pop_front();
    return f;
  }

  reply pop(connection_id c) { return parse_reply(pop_raw(c)); }

  bool idle(connection_id c) { return sink_.frames[c].empty(); }

  // Pops the notifications waiting at the front of c's queue.
  std::vector<proto::watcher_event> events(connection_id c) {
    std::vector<proto::watcher_event> out;
    auto& q = sink_.frames[c];
    while (!q.empty() && parse_reply(q.front()).header.xid == proto::xid::notification) {
      const auto r = pop(c);
      EXPECT_EQ(r.header.zxid, -1) << "3.8 notification zxid";
      out.push_back(decode_as<proto::watcher_event>(r.body));
    }
    return out;
  }

  reply call(connection_id c, opcode op) {
    handler_->frame_received(c, request(++xid_, op));
    return pop_reply(c);
  }

  template <class Record>
  reply call(connection_id c, opcode op, const Record& body) {
    handler_->frame_received(c, request(++xid_, op, body));
    return pop_reply(c);
  }

  // The reply to the last request; notifications before it stay queued in `pending_events_`.
  reply pop_reply(connection_id c) {
    pending_events_ = events(c);
    auto r = pop(c);
    EXPECT_EQ(r.header.xid, xid_) << "reply xid";
    return r;
  }

  // Sends an auth packet; its reply always has xid -4 and zxid 0.
  reply auth(connection_id c, std::string credentials, std::string scheme = "digest") {
    handler_->frame_received(
        c, request(proto::xid::auth, opcode::auth,
                   proto::auth_packet{0, std::move(scheme), std::move(credentials)}));
    auto r = pop(c);
    EXPECT_EQ(r.header.xid, proto::xid::auth);
    EXPECT_EQ(r.header.zxid, 0);
    return r;
  }

  std::string create(connection_id c, const std::string& path, std::string data = "",
                     create_mode mode = create_mode::persistent) {
    const auto r = call(c, opcode::create, create_req(path, data, mode));
    EXPECT_EQ(r.header.err, 0) << "create " << path;
    return r.header.err == 0 ? decode_as<proto::create_response>(r.body).path : "";
  }

  zkpp::stat stat_of(connection_id c, const std::string& path) {
    const auto r = call(c, opcode::exists, proto::exists_request{path, false});
    EXPECT_EQ(r.header.err, 0) << "exists " << path;
    return decode_as<proto::exists_response>(r.body).stat;
  }

  recording_sink sink_;
  server_options options_;
  std::unique_ptr<request_handler> handler_;
  std::int64_t wall_ = 1'700'000'000'000;
  std::int64_t steady_ = 10'000'000;
  connection_id next_id_ = 1;
  std::int32_t xid_ = 0;
  proto::connect_response last_connect_;
  std::vector<proto::watcher_event> pending_events_;
};

inline proto::watcher_event event(event_type t, std::string path) {
  return {static_cast<std::int32_t>(t), 3, std::move(path)};
}

}  // namespace zkpp::test

namespace zkpp::detail::proto {
inline bool operator==(const watcher_event& a, const watcher_event& b) {
  return a.type == b.type && a.state == b.state && a.path == b.path;
}
inline std::ostream& operator<<(std::ostream& os, const watcher_event& e) {
  return os << "{type " << e.type << ", state " << e.state << ", " << e.path << "}";
}
}  // namespace zkpp::detail::proto
