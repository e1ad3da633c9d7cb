#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <asio/use_future.hpp>
#include "waiting.hpp"

#include "zkpp/client.hpp"
#include "zkpp/test/backend.hpp"

namespace zkpp::test {

// Every test gets connected clients of the backend under test and a path of
// its own, created fresh, so tests never see each other's nodes.
class client_test : public ::testing::Test {
 protected:
  void SetUp() override {
    ZKPP_REQUIRE_SERVERS();
    zk_ = connect_client();
    root_ = unique_path(::testing::UnitTest::GetInstance()->current_test_info()->name());
    zk_->create(root_, "");
  }

  // The test's client goes first: its watchers may capture the test's locals.
  void TearDown() override {
    if (!zk_) return;
    zk_.reset();
    remove_tree(*connect_client(), root_);
  }

  // A connected client of the backend, optionally under a chroot.
  std::unique_ptr<client> connect_client(const std::string& chroot = "") {
    client_options o;
    o.connect_string = servers() + chroot;
    auto c = std::make_unique<client>(o);
    await(c->async_connect(asio::use_future), "connect to " + o.connect_string);
    return c;
  }

  std::string path(const std::string& name) const { return root_ + "/" + name; }

  static void remove_tree(client& c, const std::string& p) {
    std::error_code ec;
    for (const auto& child : c.get_children(p, {}, ec)) remove_tree(c, p + "/" + child);
    c.remove(p, -1, ec);
  }

  client& zk() { return *zk_; }

  std::unique_ptr<client> zk_;
  std::string root_;
};

}  // namespace zkpp::test
