// Replays the client frames a real Apache ZooKeeper 3.8.0 server received
// (data/server_transcript.json, captured on loopback) against zkpp::server
// and compares what comes back frame by frame: sizes, xids, error codes,
// notifications byte for byte, and where the real server closed the socket.
// Session ids, passwords, zxids and times differ between servers and are
// mapped or ignored.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "raw_client.hpp"
#include "zkpp/server.hpp"

namespace zkpp::test {
namespace {

using json = nlohmann::json;

json load_transcript() {
  std::ifstream in{ZKPP_SERVER_TRANSCRIPT};
  return json::parse(in);
}

// The real server's session id -> what it sent and what we sent.
struct session_mapping {
  std::string real_passwd;
  proto::connect_response ours;
};

class transcript_replay {
 public:
  explicit transcript_replay(std::uint16_t port) : port_(port) {}

  void c2s(const std::string& conn, std::string bytes, const std::string& desc) {
    auto& c = conns_[conn];
    if (!c) c = std::make_unique<raw_client>(port_);
    if (desc.starts_with("ConnectRequest")) bytes = map_session(bytes);
    c->send_bytes(bytes);
  }

  void s2c(const std::string& conn, const std::string& real_hex, const std::string& desc) {
    auto& c = *conns_.at(conn);
    const auto what = conn + ": " + desc;
    if (real_hex.empty()) {
      EXPECT_TRUE(c.closed_by_server(what)) << what;
      return;
    }
    const auto real = from_hex(real_hex).substr(4);
    const auto ours = c.read_frame(what);
    ASSERT_EQ(ours.size(), real.size())
        << what << "\nreal: " << real_hex << "\nours: " << to_hex(with_length(ours));
    if (desc.starts_with("ConnectResponse")) return compare_connect(real, ours, what);
    const auto r = parse_reply(real);
    const auto o = parse_reply(ours);
    EXPECT_EQ(o.header.xid, r.header.xid) << what;
    EXPECT_EQ(o.header.err, r.header.err) << what;
    if (r.header.xid == proto::xid::notification || r.header.zxid <= 0) {
      EXPECT_EQ(to_hex(ours), to_hex(real)) << what;
    }
  }

 private:
  std::string map_session(const std::string& frame) {
    jute::reader r{std::string_view{frame}.substr(4)};
    proto::connect_request req;
    r.get(req);
    const auto tail = frame.substr(4 + r.position());
    if (req.session_id == 0) return frame;
    const auto& m = sessions_.at(req.session_id);
    // The right password maps to ours; a wrong one stays wrong.
    if (req.passwd == m.real_passwd) req.passwd = m.ours.passwd;
    req.session_id = m.ours.session_id;
    return with_length(jute::encode(req) + tail);
  }

  void compare_connect(const std::string& real, const std::string& ours, const std::string& what) {
    const auto r = decode_as<proto::connect_response>(real);
    const auto o = decode_as<proto::connect_response>(ours);
    EXPECT_EQ(o.time_out, r.time_out) << what;
    EXPECT_EQ(o.session_id == 0, r.session_id == 0) << what;
    EXPECT_EQ(o.passwd.size(), r.passwd.size()) << what;
    if (r.session_id == 0) {
      EXPECT_EQ(to_hex(ours), to_hex(real)) << what;
    }
    if (r.session_id != 0 && !sessions_.contains(r.session_id))
      sessions_[r.session_id] = {r.passwd, o};
  }

  std::uint16_t port_;
  std::map<std::string, std::unique_ptr<raw_client>> conns_;
  std::map<std::int64_t, session_mapping> sessions_;
};

TEST(transcript_replay, matches_a_real_3_8_server_frame_by_frame) {
  const auto transcript = load_transcript();
  // As the transcript's server was configured (PROTOCOL.md §20).
  server srv{{.tick_time = std::chrono::milliseconds{2000},
              .extended_types_enabled = true,
              .four_letter_whitelist = {"*"}}};
  srv.start();
  transcript_replay replay{srv.port()};
  std::size_t replayed = 0;
  for (const auto& f : transcript["frames"]) {
    const auto conn = f["conn"].get<std::string>();
    const auto dir = f["dir"].get<std::string>();
    const auto desc = f["desc"].get<std::string>();
    if (dir == "c2s")
      replay.c2s(conn, from_hex(f["hex"].get<std::string>()), desc);
    else if (dir == "s2c")
      replay.s2c(conn, f["hex"].get<std::string>(), desc);
    if (::testing::Test::HasFatalFailure()) return;
    ++replayed;
  }
  EXPECT_GT(replayed, 150u);
}

}  // namespace
}  // namespace zkpp::test
