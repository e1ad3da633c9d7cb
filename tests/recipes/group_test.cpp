// group_member, group_view and unique_id_generator: members joining,
// updating and leaving as the view tells it, a member coming back after its
// session expired, and ids from concurrent clients all distinct.

#include <mutex>
#include <set>
#include <thread>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/group_member.hpp"
#include "zkpp/recipes/group_view.hpp"
#include "zkpp/recipes/unique_id.hpp"
#include "zkpp/test/fault_proxy.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::group_member;
using recipes::group_view;
using recipes::member_info;

using group_test = recipe_test;

// The view's changes as "joined a=payload", "left a", "updated a=payload".
recorder<std::string> record_changes(group_view& view) {
  recorder<std::string> changes;
  view.add_listener(
      {.joined =
           [changes](const member_info& m) { changes.push("joined " + m.id + "=" + m.payload); },
       .left = [changes](const member_info& m) { changes.push("left " + m.id); },
       .updated =
           [changes](const member_info& m) { changes.push("updated " + m.id + "=" + m.payload); }});
  return changes;
}

TEST_F(group_test, ViewSeesMembersJoinUpdateAndLeave) {
  const auto group = path("clusterServers");
  group_view view{*admin_, group};
  auto changes = record_changes(view);
  view.start();
  EXPECT_TRUE(view.members().empty()) << "no group node yet: an empty group";

  auto zk_a = connect_client();
  auto zk_b = connect_client();
  group_member a{*zk_a, group, "a", "10.0.0.1:80"};
  a.start();
  EXPECT_EQ(changes.next("a joined"), "joined a=10.0.0.1:80");
  group_member b{*zk_b, group, "b", "10.0.0.2:80"};
  await(b.async_start(asio::use_future), "b started");
  EXPECT_EQ(changes.next("b joined"), "joined b=10.0.0.2:80");
  const auto both = view.members();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both.at("a").payload, "10.0.0.1:80");
  EXPECT_EQ(both.at("b").stat.ephemeral_owner, zk_b->session_id());

  b.update("10.0.0.2:81");
  EXPECT_EQ(changes.next("b updated"), "updated b=10.0.0.2:81");
  EXPECT_EQ(b.payload(), "10.0.0.2:81");
  a.close();
  EXPECT_EQ(changes.next("a left"), "left a");
  zk_b->close();
  EXPECT_EQ(changes.next("b left with its session"), "left b");
  EXPECT_TRUE(view.members().empty());
}

TEST_F(group_test, SecondViewStartsWithTheWholeGroup) {
  const auto group = path("clusterServers");
  group_member a{*admin_, group, "a", "pa"};
  group_member b{*admin_, group, "b", "pb"};
  a.start();
  b.start();
  auto zk = connect_client();
  group_view view{*zk, group};
  view.start();
  const auto members = view.members();
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members.at("a").payload, "pa");
  EXPECT_EQ(members.at("b").payload, "pb");
}

TEST_F(group_test, MemberWhoseSessionExpiredComesBack) {
  const auto group = path("clusterServers");
  fault_proxy proxy{servers()};
  client zk{{.connect_string = proxy.connect_string(),
             .session_timeout = 6000ms,
             .on_expiry = expiry_policy::new_session}};
  recorder<session_state> states;
  zk.on_state(states.pusher());
  zk.connect();

  group_view view{*admin_, group};
  auto changes = record_changes(view);
  view.start();
  group_member phoenix{zk, group, "phoenix", "p1"};
  phoenix.start();
  EXPECT_EQ(changes.next("joined"), "joined phoenix=p1");
  const auto old_session = zk.session_id();

  // Silent past the session timeout: the server expires the session.
  proxy.stall();
  EXPECT_EQ(changes.next("left when the session expired", 30s), "left phoenix");
  states.skip_until(session_state::lost, "lost after a session timeout", 30s);
  proxy.pass();
  EXPECT_EQ(changes.next("back in the new session", 30s), "joined phoenix=p1");
  EXPECT_NE(zk.session_id(), old_session);
  EXPECT_EQ(view.members().at("phoenix").stat.ephemeral_owner, zk.session_id());
}

TEST_F(group_test, UniqueIdsFromEightClientsAreDistinct) {
  constexpr int clients = 8;
  constexpr int each = 20;
  std::mutex m;
  std::set<std::int64_t> ids;
  std::atomic<int> produced{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      auto zk = connect_client();
      recipes::unique_id_generator gen{*zk, path("ids")};
      for (int n = 0; n < each; ++n) {
        const auto id =
            n % 2 == i % 2 ? gen.next() : await(gen.async_next(asio::use_future), "async_next");
        ++produced;
        std::lock_guard lock{m};
        ids.insert(id);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(produced, clients * each);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(clients * each)) << "every id distinct";
  await_children(path("ids"), 0, "every id node deleted");
}

}  // namespace
}  // namespace zkpp::test
