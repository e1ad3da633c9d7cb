// The caches and the config helper: events for single changes, and a cache
// whose final state equals the server's after a burst of concurrent changes,
// including across a cut connection.

#include <charconv>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/config.hpp"
#include "zkpp/recipes/node_cache.hpp"
#include "zkpp/recipes/tree_cache.hpp"
#include "zkpp/test/fault_proxy.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::node_cache;

// A node's data as a cache tells it (nullopt: missing).
using seen = std::optional<std::string>;

seen data_of(const std::optional<data_result>& r) {
  return r ? seen{r->data} : std::nullopt;
}

// A client reaching the server through a fault proxy, recording its states.
struct proxied {
  explicit proxied(const std::string& all) : proxy{all.substr(0, all.find(','))} {
    zk.on_state(states.pusher());
    zk.connect();
  }
  fault_proxy proxy;
  client zk{client_options{.connect_string = proxy.connect_string()}};
  recorder<session_state> states;
};

class cache_test : public recipe_test {
 protected:
  // Four clients writing to `paths` at once: sets, deletes and re-creates;
  // `midway` runs halfway through.
  void burst(const std::vector<std::string>& paths, const std::function<void()>& midway) {
    constexpr int writers = 4, rounds = 60;
    std::vector<std::unique_ptr<client>> zk;
    for (int i = 0; i < writers; ++i) zk.push_back(connect_client());
    std::latch halfway{writers};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
      threads.emplace_back([&, w] {
        for (int r = 0; r < rounds; ++r) {
          const auto& p = paths[(w + r) % paths.size()];
          const auto value = std::to_string(w) + ":" + std::to_string(r);
          std::error_code ec;
          if (r % 7 == 3)
            zk[w]->remove(p, -1, ec);
          else if (zk[w]->set_data(p, value, -1, ec); ec == error::no_node)
            zk[w]->create(p, value, {}, ec);
          if (r == rounds / 2) halfway.count_down();
        }
      });
    halfway.wait();
    midway();
    for (auto& t : threads) t.join();
  }

  // The node as the server has it now.
  std::optional<data_result> on_server(const std::string& p) {
    std::error_code ec;
    auto r = admin_->get_data(p, {}, ec);
    if (ec == error::no_node) return std::nullopt;
    if (ec) throw std::system_error(ec, "get_data " + p);
    return r;
  }
};

class node_cache_test : public cache_test, public ::testing::WithParamInterface<bool> {};

TEST_P(node_cache_test, TellsCreationChangeAndDeletion) {
  node_cache cache{*admin_, path("n"), {.persistent_watch = GetParam()}};
  recorder<seen> told;
  cache.add_listener([told](const auto& r) { told.push(data_of(r)); });
  cache.start();
  EXPECT_FALSE(cache.current());

  admin_->create(path("n"), "a");
  EXPECT_EQ(told.next("the creation"), seen{"a"});
  admin_->set_data(path("n"), "b");
  EXPECT_EQ(told.next("the change"), seen{"b"});
  EXPECT_EQ(cache.current()->data, "b");
  admin_->remove(path("n"));
  EXPECT_EQ(told.next("the deletion"), std::nullopt);
  EXPECT_FALSE(cache.current());
}

TEST_P(node_cache_test, EqualsTheServerAfterConcurrentChangesAndACutConnection) {
  proxied p{servers()};
  auto& zk = p.zk;
  auto& proxy = p.proxy;
  auto& states = p.states;
  admin_->create(path("n"), "start");
  node_cache cache{zk, path("n"), {.persistent_watch = GetParam()}};
  recorder<seen> told;
  cache.add_listener([told](const auto& r) { told.push(data_of(r)); });
  cache.start();

  burst({path("n")}, [&] { proxy.drop(); });
  states.skip_until(session_state::reconnected, "reconnected after the cut");
  // One last change the cache must see, whatever the burst left.
  std::error_code ec;
  admin_->create(path("n"), "", {}, ec);
  admin_->set_data(path("n"), "final");
  told.skip_until(seen{"final"}, "the last value");
  const auto cached = cache.current();
  const auto server = on_server(path("n"));
  ASSERT_TRUE(cached && server);
  EXPECT_EQ(cached->data, server->data);
  EXPECT_EQ(cached->stat, server->stat);
}

INSTANTIATE_TEST_SUITE_P(watches, node_cache_test, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "persistent" : "one_shot"; });

// A subtree as path -> (data, mzxid).
using tree = std::map<std::string, std::pair<std::string, std::int64_t>>;

tree flatten(const std::map<std::string, data_result>& nodes) {
  tree out;
  for (const auto& [p, n] : nodes) out.emplace(p, std::pair{n.data, n.stat.mzxid});
  return out;
}

class tree_cache_test : public cache_test, public ::testing::WithParamInterface<bool> {
 protected:
  tree read_tree(const std::string& p) {
    tree out;
    std::error_code ec;
    const auto r = admin_->get_data(p, {}, ec);
    if (ec == error::no_node) return out;
    out.emplace(p, std::pair{r.data, r.stat.mzxid});
    for (const auto& c : admin_->get_children(p, {}, ec)) out.merge(read_tree(p + "/" + c));
    return out;
  }

  // "created a/b": the event, with paths relative to the test's root.
  static recipes::tree_cache_listener record(const recorder<std::string>& r,
                                             const std::string& root) {
    const auto rel = [root](const std::string& p) { return p.substr(root.size() + 1); };
    return {.created = [r, rel](const auto& p, const auto&) { r.push("created " + rel(p)); },
            .changed = [r, rel](const auto& p,
                                const auto& n) { r.push("changed " + rel(p) + " " + n.data); },
            .deleted = [r, rel](const auto& p, const auto&) { r.push("deleted " + rel(p)); },
            .initialized = [r] { r.push("initialized"); }};
  }
};

TEST_P(tree_cache_test, TellsCreationsChangesAndDeletions) {
  admin_->create(path("t"), "root");
  admin_->create(path("t/a"), "1");
  recipes::tree_cache cache{*admin_, path("t"), {.persistent_watch = GetParam()}};
  recorder<std::string> told;
  cache.add_listener(record(told, root_));
  cache.start();
  std::set<std::string> initial{told.next("first"), told.next("second")};
  EXPECT_EQ(initial, (std::set<std::string>{"created t", "created t/a"}));
  EXPECT_EQ(told.next("initialized"), "initialized");
  EXPECT_EQ(cache.get(path("t/a"))->data, "1");

  admin_->create(path("t/a/x"), "2");
  EXPECT_EQ(told.next("a nested creation"), "created t/a/x");
  admin_->set_data(path("t/a/x"), "3");
  EXPECT_EQ(told.next("a change"), "changed t/a/x 3");
  admin_->remove(path("t/a/x"));
  EXPECT_EQ(told.next("a deletion"), "deleted t/a/x");
  EXPECT_FALSE(cache.get(path("t/a/x")));
  EXPECT_EQ(flatten(cache.nodes()), read_tree(path("t")));
}

TEST_P(tree_cache_test, EqualsTheServerAfterConcurrentChangesAndACutConnection) {
  proxied p{servers()};
  auto& zk = p.zk;
  auto& proxy = p.proxy;
  auto& states = p.states;
  admin_->create(path("t"), "");
  std::vector<std::string> paths;
  for (const auto* name : {"a", "b", "c", "a/x", "b/y", "a/x/z"}) {
    paths.push_back(path(std::string{"t/"} + name));
    std::error_code ec;
    admin_->create(paths.back(), "start", {}, ec);
  }
  recipes::tree_cache cache{zk, path("t"), {.persistent_watch = GetParam()}};
  recorder<std::string> told;
  cache.add_listener(record(told, root_));
  cache.start();

  burst(paths, [&] { proxy.drop(); });
  states.skip_until(session_state::reconnected, "reconnected after the cut");
  // Every change the cache still has to learn of comes with an event.
  const auto server = read_tree(path("t"));
  try {
    while (flatten(cache.nodes()) != server) told.next("the cache to reach the server's state");
  } catch (const std::runtime_error&) {
    for (const auto& [p, n] : flatten(cache.nodes()))
      std::cerr << "cache " << p << " " << n.first << " " << n.second << "\n";
    for (const auto& [p, n] : server)
      std::cerr << "server " << p << " " << n.first << " " << n.second << "\n";
    throw;
  }
  EXPECT_EQ(flatten(cache.nodes()), server);
}

INSTANTIATE_TEST_SUITE_P(watches, tree_cache_test, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "persistent" : "one_shot"; });

int parse_limit(std::string_view text) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size())
    throw std::invalid_argument("not a number: " + std::string{text});
  return v;
}

TEST_F(cache_test, ConfigHandsOutParsedSnapshotsAndKeepsTheLastGoodOne) {
  admin_->create(path("limits"), "42");
  auto subscriber_zk = connect_client();
  recipes::config<int> cfg{*subscriber_zk, path("limits"), parse_limit};
  recorder<int> changes;
  recorder<std::string> errors;
  cfg.on_change([changes](auto s) { changes.push(s->value); });
  cfg.on_error([errors](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      errors.push(x.what());
    }
  });
  cfg.start();
  EXPECT_EQ(changes.next("the first configuration"), 42);
  ASSERT_TRUE(cfg.snapshot());
  EXPECT_EQ(cfg.snapshot()->value, 42);
  EXPECT_EQ(cfg.snapshot()->version, 0);

  const auto published = admin_->set_data(path("limits"), "7");
  EXPECT_EQ(changes.next("the published configuration"), 7);
  EXPECT_EQ(cfg.snapshot()->version, published.version);
  EXPECT_EQ(cfg.snapshot()->mzxid, published.mzxid);

  const auto held = cfg.snapshot();
  admin_->set_data(path("limits"), "seven");
  EXPECT_EQ(errors.next("the bad configuration reported"), "not a number: seven");
  EXPECT_EQ(cfg.snapshot(), held) << "the last good snapshot kept";
  EXPECT_EQ(held->value, 7);

  admin_->set_data(path("limits"), "8");
  EXPECT_EQ(changes.next("a good configuration again"), 8);
  EXPECT_EQ(changes.size(), 0u);
}

}  // namespace
}  // namespace zkpp::test
