#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/command.hpp"
#include "zkpp/test/probe.hpp"
#include "zkpp/test/require.hpp"
#include "zkpp/test/tls_material.hpp"

namespace zkpp::test {
namespace {

// `openssl verify` of `cert` against `ca`, plus extra checks (-verify_ip ...).
command_result verify(const std::filesystem::path& ca, const std::filesystem::path& cert,
                      std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{"openssl", "verify", "-CAfile", ca.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(cert.string());
  return run_command(argv, std::chrono::seconds{10});
}

class tls_fixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!find_program("openssl").empty()) material_ = new tls_material();
  }
  static void TearDownTestSuite() {
    delete material_;
    material_ = nullptr;
  }
  void SetUp() override { ZKPP_REQUIRE_PROGRAM("openssl"); }
  static const tls_material& tls() { return *material_; }

 private:
  static tls_material* material_;
};
tls_material* tls_fixture::material_ = nullptr;

TEST_F(tls_fixture, certificates_chain_and_name_hosts_as_described) {
  EXPECT_TRUE(verify(tls().ca_cert(), tls().server_cert(),
                     {"-purpose", "sslserver", "-verify_hostname", "localhost"})
                  .ok());
  EXPECT_TRUE(verify(tls().ca_cert(), tls().server_cert(), {"-verify_ip", "127.0.0.1"}).ok());
  EXPECT_TRUE(verify(tls().ca_cert(), tls().client_cert(), {"-purpose", "sslclient"}).ok());
  EXPECT_TRUE(verify(tls().ca_cert(), tls().wrong_host_cert()).ok());

  EXPECT_FALSE(verify(tls().other_ca_cert(), tls().server_cert()).ok());
  EXPECT_FALSE(verify(tls().other_ca_cert(), tls().client_cert()).ok());
  EXPECT_FALSE(verify(tls().ca_cert(), tls().wrong_host_cert(), {"-verify_ip", "127.0.0.1"}).ok());
  EXPECT_FALSE(
      verify(tls().ca_cert(), tls().wrong_host_cert(), {"-verify_hostname", "localhost"}).ok());
  EXPECT_TRUE(
      verify(tls().ca_cert(), tls().wrong_host_cert(), {"-verify_hostname", "wrong.example"}).ok());
}

TEST_F(tls_fixture, combined_pem_files_hold_key_and_certificate) {
  for (const auto& file : {tls().server_key_and_cert(), tls().client_key_and_cert(),
                           tls().wrong_host_key_and_cert()}) {
    auto key = run_command({"openssl", "pkey", "-in", file.string(), "-noout"});
    EXPECT_TRUE(key.ok()) << key.describe({"openssl pkey", file.string()});
    EXPECT_TRUE(verify(tls().ca_cert(), file).ok()) << file;
  }
}

TEST_F(tls_fixture, secure_zookeeper_verifies_with_the_right_ca_only) {
  ZKPP_REQUIRE_APACHE_ZOOKEEPER();
  apache_zookeeper zk{{.tls = zookeeper_tls{.key_and_cert = tls().server_key_and_cert(),
                                            .trust = tls().ca_cert()}}};
  ASSERT_NE(zk.secure_port(), 0);
  EXPECT_NE(zk.secure_port(), zk.port());
  EXPECT_EQ(zk.secure_connect_string(), "127.0.0.1:" + std::to_string(zk.secure_port()));
  // The plain port stays open next to the secure one.
  EXPECT_EQ(probe_handshake(zk.port()), "");

  EXPECT_EQ(
      tls_handshake_error(zk.secure_port(), {.ca_file = tls().ca_cert(), .verify_ip = "127.0.0.1"}),
      "");
  EXPECT_EQ(tls_handshake_error(zk.secure_port(),
                                {.ca_file = tls().ca_cert(), .verify_hostname = "localhost"}),
            "");

  auto wrong_ca = openssl_s_client(zk.secure_port(), {.ca_file = tls().other_ca_cert()});
  EXPECT_FALSE(wrong_ca.timed_out) << wrong_ca.output;
  EXPECT_NE(wrong_ca.exit_code, 0) << wrong_ca.output;
  EXPECT_NE(wrong_ca.output.find("unable to get local issuer certificate"), std::string::npos)
      << wrong_ca.output;
  EXPECT_NE(tls_handshake_error(zk.secure_port(),
                                {.ca_file = tls().ca_cert(), .verify_hostname = "wrong.example"}),
            "");
}

// Also mutual TLS: without a client certificate the server refuses the
// handshake (ZooKeeper 3.8 speaks TLSv1.2, so s_client sees the alert).
TEST_F(tls_fixture, secure_zookeeper_on_a_wrong_host_certificate_fails_hostname_checks) {
  ZKPP_REQUIRE_APACHE_ZOOKEEPER();
  apache_zookeeper zk{{.tls = zookeeper_tls{.key_and_cert = tls().wrong_host_key_and_cert(),
                                            .trust = tls().ca_cert(),
                                            .need_client_auth = true}}};
  // The chain is fine; the names are not.
  EXPECT_EQ(tls_handshake_error(zk.secure_port(), {.ca_file = tls().ca_cert(),
                                                   .cert = tls().client_cert(),
                                                   .key = tls().client_key()}),
            "");
  EXPECT_NE(tls_handshake_error(zk.secure_port(), {.ca_file = tls().ca_cert(),
                                                   .cert = tls().client_cert(),
                                                   .key = tls().client_key(),
                                                   .verify_ip = "127.0.0.1"}),
            "");
  auto no_client_cert = openssl_s_client(zk.secure_port(), {.ca_file = tls().ca_cert()});
  EXPECT_FALSE(no_client_cert.timed_out) << no_client_cert.output;
  EXPECT_NE(no_client_cert.exit_code, 0) << no_client_cert.output;
  EXPECT_NE(no_client_cert.output.find("alert bad certificate"), std::string::npos)
      << no_client_cert.output;
}

}  // namespace
}  // namespace zkpp::test
