// zkpp::server with a data directory: what a restarted server brings back
// (tree, stats, zxid, sequence numbers, sessions and their ephemerals), and
// how it copes with a damaged log tail or snapshot.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "../integration/waiting.hpp"
#include "raw_client.hpp"
#include "zkpp/auth.hpp"
#include "zkpp/client.hpp"
#include "zkpp/server.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Every node as a client reads it: path, data, full stat and ACL, one line each.
std::string dump_tree(client& zk) {
  std::map<std::string, std::string> lines;
  std::vector<std::string> pending{"/"};
  while (!pending.empty()) {
    const auto path = pending.back();
    pending.pop_back();
    const auto d = zk.get_data(path);
    const auto a = zk.get_acl(path);
    const auto& s = d.stat;
    std::ostringstream line;
    line << path << " data=" << d.data << " czxid=" << s.czxid << " mzxid=" << s.mzxid
         << " ctime=" << s.ctime << " mtime=" << s.mtime << " version=" << s.version
         << " cversion=" << s.cversion << " aversion=" << s.aversion
         << " owner=" << s.ephemeral_owner << " length=" << s.data_length
         << " children=" << s.num_children << " pzxid=" << s.pzxid << " acl=";
    for (const auto& entry : a.acl)
      line << entry.perms << ":" << entry.id.scheme << ":" << entry.id.id << ",";
    lines[path] = line.str();
    for (const auto& child : zk.get_children(path))
      pending.push_back(path == "/" ? "/" + child : path + "/" + child);
  }
  std::string out;
  for (const auto& [path, line] : lines) out += line + "\n";
  return out;
}

std::vector<fs::path> files_starting_with(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator{dir})
    if (entry.path().filename().string().starts_with(prefix)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

class durability_test : public ::testing::Test {
 protected:
  server_options options(std::int64_t snapshot_every = 100000) {
    return {.port = port_,
            .tick_time = 200ms,
            .extended_types_enabled = true,
            .data_dir = dir_.path().string(),
            .fsync = fsync_policy::every_write,
            .snapshot_every = snapshot_every,
            .on_fault = faults_.pusher()};
  }

  // Starts a server on the data directory (on the port of the previous one).
  std::unique_ptr<server> start(server_options o) {
    auto s = std::make_unique<server>(std::move(o));
    s->start();
    port_ = s->port();
    return s;
  }

  std::unique_ptr<client> connect(const server& s, std::chrono::milliseconds timeout = 4s) {
    auto zk = std::make_unique<client>(
        client_options{.connect_string = s.connect_string(), .session_timeout = timeout});
    await(zk->async_connect(asio::use_future), "connect to the durable server");
    zk->add_auth("digest", "user:password");
    return zk;
  }

  std::string await_fault(const std::string& part) {
    return next_line_containing(faults_, part, "a fault log line");
  }

  // Creates `count` nodes named `prefix`1.. and stops the server (whose
  // client never closes its session); returns the last zxid and the newest log.
  std::pair<std::int64_t, fs::path> write_and_stop(const std::string& prefix, int count) {
    auto s = start(options());
    auto zk = connect(*s);
    for (int i = 1; i <= count; ++i) zk->create(prefix + std::to_string(i), "v");
    const auto zxid = s->last_zxid();
    s->stop();
    const auto logs = files_starting_with(dir_.path(), "log.");
    if (logs.empty()) throw std::runtime_error("no log in " + dir_.path().string());
    return {zxid, logs.back()};
  }

  scoped_temp_dir dir_{"zkpp-durability"};
  std::uint16_t port_ = 0;
  recorder<std::string> faults_;
};

// Every kind of transaction: creates of each mode, sets, ACLs, deletes,
// multis that pass and fail, failed writes, a closed session's ephemerals,
// a reaped container.
void write_everything(server& srv, client& zk) {
  zk.create("/app", "a0");
  for (int i = 0; i < 3; ++i)
    zk.create("/app/seq-", "s" + std::to_string(i), {.mode = create_mode::persistent_sequential});
  zk.set_data("/app", "a1");
  zk.set_data("/app", "a2", 1);
  zk.create("/secret", "s", {.acl = acls::creator_all()});
  zk.set_acl("/app", {{perms::all, {"world", "anyone"}}, {perms::read, {"ip", "127.0.0.1"}}});
  zk.create("/ttl", "t", {.mode = create_mode::persistent_with_ttl, .ttl = 1h});
  zk.multi(
      {op::create{"/app/m1", "m"}, op::set_data{"/app", "a3"}, op::remove{"/app/seq-0000000001"}});
  std::error_code ec;
  zk.multi({op::create{"/app/m2", "m"}, op::create{"/app/m1", "again"}}, ec);
  EXPECT_EQ(ec, error::node_exists) << "a failed multi takes a zxid and changes nothing";
  zk.create("/app", "again", {}, ec);
  EXPECT_EQ(ec, error::node_exists);
  zk.remove("/app/seq-0000000000");
  zk.set_data("/", "root data");
  zk.create("/c", "", {.mode = create_mode::container});
  zk.create("/c/x", "");
  zk.remove("/c/x");
  srv.reap_now();
  EXPECT_FALSE(zk.exists("/c")) << "the emptied container is reaped";
  zk.create("/empty", "");
}

class restart_test : public durability_test, public ::testing::WithParamInterface<std::int64_t> {};

TEST_P(restart_test, TheTreeItsStatsTheZxidAndTheSequenceNumbersComeBack) {
  auto a = start(options(GetParam()));
  std::string before;
  {
    auto writer = connect(*a);
    write_everything(*a, *writer);
    writer->create("/app/e", "", {.mode = create_mode::ephemeral});
    writer->close();
    auto reader = connect(*a);
    EXPECT_FALSE(reader->exists("/app/e")) << "the closed session's ephemeral is gone";
    before = dump_tree(*reader);
    reader->close();
  }
  const auto zxid = a->last_zxid();
  a->stop();
  a.reset();

  auto b = start(options(GetParam()));
  EXPECT_EQ(b->last_zxid(), zxid);
  EXPECT_TRUE(b->sessions().empty()) << "both sessions were closed before the restart";
  auto zk = connect(*b);
  EXPECT_EQ(dump_tree(*zk), before);
  // /app had 5 children created: 3 sequential ones, /app/m1 and /app/e.
  EXPECT_EQ(zk->create("/app/seq-", "", {.mode = create_mode::persistent_sequential}),
            "/app/seq-0000000005");
  std::error_code ec;
  zk->get_data("/secret", {}, ec);
  EXPECT_FALSE(ec) << "the digest ACL still admits its creator";
  client stranger{{.connect_string = b->connect_string()}};
  stranger.connect();
  stranger.get_data("/secret", {}, ec);
  EXPECT_EQ(ec, error::no_auth) << "and keeps others out";
  stranger.close();
  const auto after_b = dump_tree(*zk);
  zk->close();
  const auto zxid_b = b->last_zxid();
  b->stop();
  b.reset();

  // Recovering what a recovered server logged.
  auto c = start(options(GetParam()));
  EXPECT_EQ(c->last_zxid(), zxid_b);
  auto zk_c = connect(*c);
  EXPECT_EQ(dump_tree(*zk_c), after_b);
  EXPECT_LE(files_starting_with(dir_.path(), "snapshot.").size(), 2u) << "older snapshots go";
}

INSTANTIATE_TEST_SUITE_P(snapshot_intervals, restart_test, ::testing::Values(100000, 1, 4),
                         [](const auto& info) { return "every_" + std::to_string(info.param); });

TEST_F(durability_test, ACutLogTailLosesOnlyTheCutRecord) {
  const auto [zxid, log] = write_and_stop("/t", 5);
  const auto size = fs::file_size(log);
  fs::resize_file(log, size - 3);

  auto b = start(options());
  await_fault("recovery: cut " + log.string());
  EXPECT_EQ(b->last_zxid(), zxid - 1);
  EXPECT_LT(fs::file_size(log), size - 3) << "the cut record is removed from the file";
  auto reader = connect(*b);
  for (int i = 1; i <= 4; ++i) EXPECT_TRUE(reader->exists("/t" + std::to_string(i))) << i;
  EXPECT_FALSE(reader->exists("/t5")) << "its record was cut";
}

TEST_F(durability_test, GarbageAfterTheLastRecordIsCut) {
  const auto [zxid, log] = write_and_stop("/g", 3);
  const auto size = fs::file_size(log);
  {
    std::ofstream out{log, std::ios::binary | std::ios::app};
    out << std::string(100, '\x5a');
  }

  auto b = start(options());
  await_fault("recovery: cut " + log.string());
  EXPECT_EQ(b->last_zxid(), zxid);
  EXPECT_EQ(fs::file_size(log), size);
  auto reader = connect(*b);
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(reader->exists("/g" + std::to_string(i))) << i;
}

void flip_a_byte_in_the_middle(const fs::path& file) {
  std::fstream f{file, std::ios::binary | std::ios::in | std::ios::out};
  const auto middle = static_cast<std::streamoff>(fs::file_size(file) / 2);
  f.seekg(middle);
  char c = 0;
  f.get(c);
  f.seekp(middle);
  f.put(static_cast<char>(c ^ 0x40));
}

TEST_F(durability_test, ADamagedSnapshotFallsBackToThePreviousOne) {
  auto a = start(options(4));
  std::string before;
  {
    auto zk = connect(*a);
    for (int i = 0; i < 12; ++i) zk->create("/s" + std::to_string(i), std::string(50, 'x'));
    before = dump_tree(*zk);
  }
  const auto zxid = a->last_zxid();
  a->stop();
  a.reset();
  const auto snapshots = files_starting_with(dir_.path(), "snapshot.");
  ASSERT_EQ(snapshots.size(), 2u) << "the two newest snapshots are kept";
  flip_a_byte_in_the_middle(snapshots.back());

  auto b = start(options(4));
  await_fault("recovery: snapshot " + snapshots.back().string() + " is damaged");
  EXPECT_EQ(b->last_zxid(), zxid);
  auto zk = connect(*b);
  EXPECT_EQ(dump_tree(*zk), before);
}

TEST_F(durability_test, NoIntactSnapshotAndNoLogToReplaceItFailsTheStart) {
  auto a = start(options(4));
  {
    auto zk = connect(*a);
    for (int i = 0; i < 12; ++i) zk->create("/s" + std::to_string(i), "");
  }
  a->stop();
  a.reset();
  for (const auto& snapshot : files_starting_with(dir_.path(), "snapshot."))
    flip_a_byte_in_the_middle(snapshot);

  server b{options(4)};
  try {
    b.start();
    ADD_FAILURE() << "a server without a usable state started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("is damaged"), std::string::npos) << e.what();
  }
}

TEST_F(durability_test, ADataDirectoryInUseIsRefusedUntilItsServerStops) {
  auto a = start(options());
  auto second = options();
  second.port = 0;  // the first server has the previous port
  server b{second};
  try {
    b.start();
    ADD_FAILURE() << "two servers started on one data directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("is in use by another server"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string{e.what()}.find(dir_.path().string()), std::string::npos) << e.what();
  }
  {
    auto zk = connect(*a);
    zk->create("/written-by-a", "");
  }
  a->stop();
  b.start();
  auto zk = connect(b);
  EXPECT_TRUE(zk->exists("/written-by-a")) << "b recovered what a wrote";
}

TEST_F(durability_test, SessionsComeBackAndThoseThatDoNotReturnExpire) {
  auto a = start(options());
  client zk{{.connect_string = a->connect_string(), .session_timeout = 4s}};
  recorder<session_state> states;
  zk.on_state(states.pusher());
  zk.connect();
  EXPECT_EQ(states.next("connected"), session_state::connected);
  zk.create("/mine", "", {.mode = create_mode::ephemeral});
  // A session whose client vanishes with the old server and never returns.
  std::int64_t gone_session = 0;
  {
    raw_client gone{a->port()};
    gone_session = gone.handshake(0, std::string(16, '\0'), 3000).session_id;
    const auto r = gone.call(opcode::create, create_req("/theirs", "", create_mode::ephemeral));
    ASSERT_EQ(r.header.err, 0);
  }
  const auto mine = zk.session_id();
  a->stop();
  a.reset();
  EXPECT_EQ(states.next("suspended when the server stops"), session_state::suspended);

  auto b = start(options());
  EXPECT_EQ(states.next("reconnected to the restarted server"), session_state::reconnected);
  EXPECT_EQ(zk.session_id(), mine);
  const auto stat = zk.exists("/mine");
  ASSERT_TRUE(stat) << "the session's ephemeral came back with it";
  EXPECT_EQ(stat->ephemeral_owner, mine);
  // The vanished session came back too, with a fresh timeout, which runs out.
  event_recorder events;
  ASSERT_TRUE(zk.exists("/theirs", record_into(events)));
  EXPECT_EQ(events.next("/theirs deleted when its session expires").type, event_type::node_deleted);
  EXPECT_FALSE(zk.exists("/theirs"));
  const auto live = b->sessions();
  EXPECT_EQ(std::count(live.begin(), live.end(), gone_session), 0);
  EXPECT_EQ(std::count(live.begin(), live.end(), mine), 1);
  EXPECT_TRUE(zk.exists("/mine")) << "the session that came back keeps its ephemeral";
}

}  // namespace
}  // namespace zkpp::test
