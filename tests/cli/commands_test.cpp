#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"

namespace zkpp::test {
namespace {

using commands = cli_test;

TEST_F(commands, create_get_set_ls_stat_delete_round_trip) {
  const auto p = path("node");
  auto r = cli({"create", p, "hello"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "Created " + p + "\n");
  ASSERT_EQ(cli({"create", p + "/a", "1"}).exit_code, 0);
  ASSERT_EQ(cli({"create", p + "/a/b"}).exit_code, 0);

  r = cli({"get", p});
  EXPECT_EQ(r.output, "hello\n");
  ASSERT_EQ(cli({"set", p, "world", "-v", "0"}).exit_code, 0);
  EXPECT_EQ(admin_->get_data(p).data, "world");

  r = cli({"ls", p});
  EXPECT_EQ(r.output, "a\n");
  r = cli({"ls", "-R", p});
  EXPECT_EQ(r.output, p + "\n" + p + "/a\n" + p + "/a/b\n");

  r = cli({"stat", p});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dataVersion = 1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("numChildren = 1"), std::string::npos) << r.output;
  EXPECT_EQ(cli({"exists", p}).exit_code, 0);

  r = cli({"delete", p});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("node has children: " + p), std::string::npos) << r.output;
  r = cli({"deleteall", p});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(admin_->exists(p));
}

TEST_F(commands, create_modes) {
  auto r = cli({"create", "-s", path("seq-"), "x"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "Created " + path("seq-0000000000") + "\n");
  // The session of an ephemeral node ends with the command.
  ASSERT_EQ(cli({"create", "-e", path("gone")}).exit_code, 0);
  EXPECT_FALSE(admin_->exists(path("gone")));
  ASSERT_EQ(cli({"create", "-c", path("container")}).exit_code, 0);
  ASSERT_EQ(cli({"create", "-t", "60000", path("ttl")}).exit_code, 0);
  EXPECT_TRUE(admin_->exists(path("ttl")));
  EXPECT_EQ(cli({"create", "-c", "-e", path("both")}).exit_code, 2);
}

TEST_F(commands, json_output_parses) {
  const auto p = path("j");
  auto r = cli({"--json", "create", p, "data"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output).at("path"), p);

  r = cli({"--json", "get", "-s", p});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto got = nlohmann::json::parse(r.output);
  EXPECT_EQ(got.at("data"), "data");
  EXPECT_EQ(got.at("stat").at("version"), 0);
  EXPECT_EQ(got.at("stat").at("dataLength"), 4);

  ASSERT_EQ(cli({"create", p + "/c"}).exit_code, 0);
  r = cli({"--json", "ls", p});
  EXPECT_EQ(nlohmann::json::parse(r.output).at("children"), nlohmann::json::array({"c"}));

  r = cli({"--json", "get", path("missing")});
  EXPECT_EQ(r.exit_code, 1);
  // stderr's line comes with stdout's document; the document is the last line.
  const auto last = r.output.substr(r.output.rfind('{'));
  const auto err = nlohmann::json::parse(last);
  EXPECT_EQ(err.at("code"), -101);
  EXPECT_EQ(err.at("path"), path("missing"));
}

TEST_F(commands, zookeeper_errors_exit_1_naming_code_and_path) {
  const auto missing = path("missing");
  auto r = cli({"get", missing});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "no node: " + missing + "\n");
  r = cli({"exists", missing});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "no node: " + missing + "\n");
  ASSERT_EQ(cli({"create", path("v"), "1"}).exit_code, 0);
  r = cli({"set", path("v"), "2", "-v", "7"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "bad version: " + path("v") + "\n");
  r = cli({"create", path("v")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "node exists: " + path("v") + "\n");
}

TEST_F(commands, bad_usage_exits_2) {
  EXPECT_EQ(cli({}).exit_code, 2);
  EXPECT_EQ(cli({"frobnicate", "/x"}).exit_code, 2);
  EXPECT_EQ(cli({"get"}).exit_code, 2);
  EXPECT_EQ(cli({"get", "/x", "-q"}).exit_code, 2);
  EXPECT_EQ(cli({"set", "/x", "1", "-v", "one"}).exit_code, 2);
  EXPECT_EQ(cli({"setacl", "/x", "world:anyone"}).exit_code, 2);
  EXPECT_EQ(cli({"lock", "/x"}).exit_code, 2);
  EXPECT_EQ(cli({"--timeout", "soon", "ls", "/"}).exit_code, 2);
}

TEST_F(commands, unreachable_server_exits_3) {
  auto r = cli({"ls", "/"}, "127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("cannot connect to 127.0.0.1:1"), std::string::npos) << r.output;
  EXPECT_EQ(cli({"ruok"}, "127.0.0.1:1").exit_code, 3);
}

TEST_F(commands, acl_round_trip) {
  const auto p = path("acl");
  ASSERT_EQ(cli({"create", p}).exit_code, 0);
  auto r = cli({"getacl", p});
  EXPECT_EQ(r.output, "world:anyone:cdrwa\n");
  r = cli({"setacl", p, "ip:127.0.0.1:cdrwa,world:anyone:r"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const acl_list expected{{perms::all, {"ip", "127.0.0.1"}}, {perms::read, {"world", "anyone"}}};
  EXPECT_EQ(admin_->get_acl(p).acl, expected);
  r = cli({"getacl", p});
  EXPECT_EQ(r.output, "ip:127.0.0.1:cdrwa\nworld:anyone:r\n");
}

TEST_F(commands, sync_whoami_ruok) {
  EXPECT_EQ(cli({"sync", root_}).exit_code, 0);
  auto r = cli({"whoami"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "ip:127.0.0.1\n");
  r = cli({"ruok"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "imok\n");
}

}  // namespace
}  // namespace zkpp::test
