// ACL checks and authentication (PROTOCOL.md §10).

#include "core_fixture.hpp"
#include "zkpp/auth.hpp"
#include "zkpp/detail/server/acl_check.hpp"

namespace zkpp::test {
namespace {

constexpr int code(error e) {
  return static_cast<int>(e);
}

class acl_test : public core_test {
 protected:
  void login(connection_id c, std::string credentials) {
    EXPECT_EQ(auth(c, std::move(credentials)).header.err, 0) << "auth";
  }
};

TEST(acl_check, ip_patterns_match_by_prefix) {
  EXPECT_TRUE(ip_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(ip_matches("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(ip_matches("10.0.0.0/8", "10.20.30.40"));
  EXPECT_FALSE(ip_matches("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(ip_matches("::1", "::1"));
  EXPECT_FALSE(is_valid_ip_pattern("10.0.0.0/33"));
  EXPECT_FALSE(is_valid_ip_pattern("not-an-ip"));
}

TEST(acl_check, digest_identity_is_user_and_base64_sha1) {
  EXPECT_EQ(digest_identity("user:password"), "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=");
  EXPECT_EQ(digest_identity("super:secret"), "super:lK75jTNcA+U9vtVEw5vB51mj/w4=");
}

TEST(acl_check, fixup_expands_auth_validates_and_removes_duplicates) {
  const std::vector<id> ids{{"ip", "127.0.0.1"}, {"digest", "u:h"}};
  EXPECT_EQ(fixup_acl(acls::creator_all(), ids), (acl_list{{31, {"digest", "u:h"}}}));
  EXPECT_FALSE(fixup_acl(acls::creator_all(), {{"ip", "127.0.0.1"}}));
  EXPECT_FALSE(fixup_acl(acl_list{{31, {"world", "someone"}}}, ids));
  EXPECT_FALSE(fixup_acl(acl_list{{31, {"nosuch", "x"}}}, ids));
  EXPECT_FALSE(fixup_acl(acl_list{{31, {"digest", "no-colon"}}}, ids));
  EXPECT_FALSE(fixup_acl(acl_list{}, ids));
  EXPECT_EQ(fixup_acl(acl_list{{1, {"world", "anyone"}}, {1, {"world", "anyone"}}}, ids),
            acls::read_unsafe());
}

TEST_F(acl_test, creator_all_acl_stores_the_digest_and_other_sessions_get_noauth) {
  const auto owner = connect();
  login(owner, "user:password");
  ASSERT_EQ(call(owner, opcode::create,
                 create_req("/secret", "s", create_mode::persistent, acls::creator_all()))
                .header.err,
            0);
  const auto acl = decode_as<proto::get_acl_response>(
      call(owner, opcode::get_acl, proto::get_acl_request{"/secret"}).body);
  EXPECT_EQ(acl.acl, (acl_list{{31, {"digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="}}}));

  const auto stranger = connect();
  EXPECT_EQ(call(stranger, opcode::get_data, proto::get_data_request{"/secret", false}).header.err,
            code(error::no_auth));
  EXPECT_EQ(
      call(stranger, opcode::set_data, proto::set_data_request{"/secret", "x", -1}).header.err,
      code(error::no_auth));
  EXPECT_EQ(call(stranger, opcode::get_acl, proto::get_acl_request{"/secret"}).header.err,
            code(error::no_auth));
  EXPECT_EQ(call(stranger, opcode::create, create_req("/secret/c")).header.err,
            code(error::no_auth));
  // exists needs no permission on 3.8.0.
  EXPECT_EQ(call(stranger, opcode::exists, proto::exists_request{"/secret", false}).header.err, 0);
  login(stranger, "user:password");
  EXPECT_EQ(call(stranger, opcode::get_data, proto::get_data_request{"/secret", false}).header.err,
            0);
}

TEST_F(acl_test, get_acl_without_admin_redacts_digests) {
  const auto owner = connect();
  const acl_list acl{{perms::read, {"world", "anyone"}}, digest_acl("user", "password")};
  ASSERT_EQ(
      call(owner, opcode::create, create_req("/r", "", create_mode::persistent, acl)).header.err,
      0);
  const auto shown = decode_as<proto::get_acl_response>(
      call(owner, opcode::get_acl, proto::get_acl_request{"/r"}).body);
  EXPECT_EQ(shown.acl, (acl_list{{perms::read, {"world", "anyone"}}, {31, {"digest", "user:x"}}}));
  login(owner, "user:password");
  EXPECT_EQ(decode_as<proto::get_acl_response>(
                call(owner, opcode::get_acl, proto::get_acl_request{"/r"}).body)
                .acl,
            acl);
}

TEST_F(acl_test, set_acl_needs_admin_then_a_matching_aversion) {
  const auto c = connect();
  create(c, "/n");
  ASSERT_EQ(
      call(c, opcode::set_acl, proto::set_acl_request{"/n", acls::read_unsafe(), 0}).header.err, 0);
  EXPECT_EQ(call(c, opcode::set_data, proto::set_data_request{"/n", "x", -1}).header.err,
            code(error::no_auth));
  EXPECT_EQ(
      call(c, opcode::set_acl, proto::set_acl_request{"/n", acls::open_unsafe(), -1}).header.err,
      code(error::no_auth));
  EXPECT_EQ(call(c, opcode::set_acl, proto::set_acl_request{"/n", acl_list{}, -1}).header.err,
            code(error::invalid_acl));
  EXPECT_EQ(call(c, opcode::set_acl, proto::set_acl_request{"/missing", acls::open_unsafe(), -1})
                .header.err,
            code(error::no_node));
}

TEST_F(acl_test, ip_acl_matches_the_connection_address) {
  const auto local = connect(30000, "127.0.0.1");
  const auto remote = connect(30000, "10.1.2.3");
  ASSERT_EQ(call(local, opcode::create,
                 create_req("/ip", "", create_mode::persistent, acl_list{ip_acl("127.0.0.0/8")}))
                .header.err,
            0);
  EXPECT_EQ(call(local, opcode::get_data, proto::get_data_request{"/ip", false}).header.err, 0);
  EXPECT_EQ(call(remote, opcode::get_data, proto::get_data_request{"/ip", false}).header.err,
            code(error::no_auth));
}

TEST_F(acl_test, super_digest_passes_every_check) {
  make_handler({.super_digest = digest_id("super", "secret")});
  const auto owner = connect();
  login(owner, "user:password");
  call(owner, opcode::create,
       create_req("/locked", "", create_mode::persistent, acls::creator_all()));
  const auto admin = connect();
  login(admin, "super:secret");
  EXPECT_EQ(call(admin, opcode::get_data, proto::get_data_request{"/locked", false}).header.err, 0);
  EXPECT_EQ(call(admin, opcode::remove, proto::delete_request{"/locked", -1}).header.err, 0);
}

TEST_F(acl_test, delete_needs_delete_permission_on_the_parent) {
  const auto c = connect();
  create(c, "/p");
  create(c, "/p/c");
  call(c, opcode::set_acl,
       proto::set_acl_request{"/p", acl_list{{perms::all & ~perms::remove, {"world", "anyone"}}},
                              -1});
  EXPECT_EQ(call(c, opcode::remove, proto::delete_request{"/p/c", -1}).header.err,
            code(error::no_auth));
  EXPECT_EQ(call(c, opcode::remove, proto::delete_request{"/p/missing", -1}).header.err,
            code(error::no_auth))
      << "permission is checked before existence";
}

}  // namespace
}  // namespace zkpp::test
