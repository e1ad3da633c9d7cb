#pragma once

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "../integration/waiting.hpp"
#include "zkpp/client.hpp"
#include "zkpp/test/backend.hpp"

namespace zkpp::test {

// Connected clients of the backend under test and a fresh path per test.
class recipe_test : public ::testing::Test {
 protected:
  void SetUp() override {
    ZKPP_REQUIRE_SERVERS();
    admin_ = connect_client();
    root_ = unique_path(::testing::UnitTest::GetInstance()->current_test_info()->name());
    admin_->create(root_, "");
  }

  void TearDown() override {
    if (!admin_) return;
    remove_tree(*admin_, root_);
  }

  std::unique_ptr<client> connect_client() {
    client_options o;
    o.connect_string = servers();
    auto c = std::make_unique<client>(o);
    await(c->async_connect(asio::use_future), "connect to " + o.connect_string);
    return c;
  }

  static void remove_tree(client& c, const std::string& p) {
    std::error_code ec;
    for (const auto& child : c.get_children(p, {}, ec)) remove_tree(c, p + "/" + child);
    c.remove(p, -1, ec);
  }

  // Waits (on watches, with a deadline) until `dir` has `n` children; for
  // n > 0 until it exists, as recipes create their parents asynchronously.
  void await_children(const std::string& dir, std::size_t n, const std::string& what) {
    // Shared: a watch armed by the last look may fire after we return.
    auto events = std::make_shared<event_recorder>();
    const auto watch = [events](const watch_event& e) { events->push(e); };
    for (;;) {
      std::error_code ec;
      const auto children = admin_->get_children(dir, watch, ec);
      if (!ec && children.size() == n) return;
      if (ec == error::no_node && n == 0) return;  // an empty container may be reaped
      if (ec == error::no_node && admin_->exists(dir, watch)) continue;
      if (ec && ec != error::no_node) throw std::system_error(ec, "get_children " + dir);
      events->next(what + " (" + std::to_string(n) + " children of " + dir + ")");
    }
  }

  std::string path(const std::string& name) const { return root_ + "/" + name; }

  std::unique_ptr<client> admin_;
  std::string root_;
};

// The participant with `id` among `all` (latches, selectors).
template <class Participant>
Participant& participant(const std::vector<std::unique_ptr<Participant>>& all,
                         const std::string& id) {
  for (const auto& p : all)
    if (p->id() == id) return *p;
  throw std::runtime_error("no participant " + id);
}

}  // namespace zkpp::test
