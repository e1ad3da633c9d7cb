#include <algorithm>

#include "client_fixture.hpp"
#include "zkpp/auth.hpp"

namespace zkpp::test {
namespace {

using acl_auth = client_test;

TEST_F(acl_auth, new_nodes_are_open_by_default) {
  zk().create(path("open"), "");
  const auto r = zk().get_acl(path("open"));
  EXPECT_EQ(r.acl, acls::open_unsafe());
  EXPECT_EQ(r.stat.aversion, 0);
}

// The permission checks run on nodes created with their ACL: in an ensemble,
// Apache ZooKeeper's leader checks a write that follows a setACL at once
// against the ACL from before it (its pending change record keeps the old
// ACL), so "setACL, then a write" is not a reliable check there.
TEST_F(acl_auth, set_acl_restricts_writes_and_bumps_aversion) {
  zk().create(path("ro"), "");
  const acl_list read_admin{{perms::read | perms::admin, {"world", "anyone"}}};
  EXPECT_EQ(zk().set_acl(path("ro"), read_admin, 0).aversion, 1);
  std::error_code ec;
  zk().set_acl(path("ro"), acls::open_unsafe(), 0, ec);
  EXPECT_EQ(ec, error::bad_version);
  const auto r = zk().get_acl(path("ro"));
  EXPECT_EQ(r.acl, read_admin);
  EXPECT_EQ(r.stat.aversion, 1);

  zk().create(path("read-admin"), "", {.acl = read_admin});
  zk().set_data(path("read-admin"), "x", -1, ec);
  EXPECT_EQ(ec, error::no_auth);
  EXPECT_EQ(zk().get_data(path("read-admin")).data, "");
  zk().create(path("read-only"), "", {.acl = acls::read_unsafe()});
  zk().set_acl(path("read-only"), acls::open_unsafe(), -1, ec);
  EXPECT_EQ(ec, error::no_auth) << "ADMIN is needed to change an ACL";
}

TEST_F(acl_auth, digest_identity_guards_a_node_from_other_sessions) {
  zk().add_auth("digest", "alice:secret");
  zk().create(path("mine"), "private", {.acl = acls::creator_all()});
  const auto stored = zk().get_acl(path("mine")).acl;
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0], digest_acl("alice", "secret"));
  EXPECT_EQ(zk().get_data(path("mine")).data, "private");

  auto stranger = connect_client();
  std::error_code ec;
  stranger->get_data(path("mine"), {}, ec);
  EXPECT_EQ(ec, error::no_auth);
  stranger->add_auth("digest", "alice:wrong");
  stranger->get_data(path("mine"), {}, ec);
  EXPECT_EQ(ec, error::no_auth);
  stranger->add_auth("digest", "alice:secret");
  EXPECT_EQ(stranger->get_data(path("mine")).data, "private");
}

TEST_F(acl_auth, whoami_lists_address_and_digest_identities) {
  zk().add_auth("digest", "bob:pw");
  const auto ids = zk().whoami();
  EXPECT_NE(std::find(ids.begin(), ids.end(), client_info{"ip", "127.0.0.1"}), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), client_info{"digest", "bob"}), ids.end());
}

TEST_F(acl_auth, creator_acl_without_identity_is_invalid) {
  std::error_code ec;
  zk().create(path("anon"), "", {.acl = acls::creator_all()}, ec);
  EXPECT_EQ(ec, error::invalid_acl);
  zk().create(path("bogus"), "", {.acl = {{perms::all, {"nosuch", "x"}}}}, ec);
  EXPECT_EQ(ec, error::invalid_acl);
}

TEST_F(acl_auth, ip_acl_admits_loopback_clients) {
  zk().create(path("ip"), "v", {.acl = {ip_acl("127.0.0.1", perms::read)}});
  EXPECT_EQ(zk().get_data(path("ip")).data, "v");
  std::error_code ec;
  zk().set_data(path("ip"), "w", -1, ec);
  EXPECT_EQ(ec, error::no_auth);
}

TEST_F(acl_auth, unknown_auth_scheme_fails_the_session) {
  auto c = connect_client();
  recorder<session_state> states;
  c->on_state(states.pusher());
  std::error_code ec;
  c->add_auth("nosuchscheme", "x", ec);
  EXPECT_EQ(ec, error::auth_failed);
  EXPECT_EQ(states.next("auth_failed state"), session_state::auth_failed);
  c->get_data(root_, {}, ec);
  EXPECT_EQ(ec, error::auth_failed);
}

TEST(digest, id_is_user_and_base64_sha1) {
  EXPECT_EQ(digest_id("user", "password"), "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=");
}

}  // namespace
}  // namespace zkpp::test
