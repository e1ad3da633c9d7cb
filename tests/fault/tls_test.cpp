// TLS against real Apache ZooKeeper's secureClientPort (Netty), with
// certificates made at test time: success, wrong CA, wrong host name, mutual TLS.

#include <asio/ssl/error.hpp>

#include "zkpp/client.hpp"
#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/require.hpp"
#include "zkpp/test/tls_material.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

class tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { material_ = std::make_unique<tls_material>(); }
  static void TearDownTestSuite() { material_.reset(); }

  void SetUp() override { ZKPP_REQUIRE_APACHE_ZOOKEEPER(); }

  static std::unique_ptr<apache_zookeeper> secure_server(const std::filesystem::path& key_and_cert,
                                                         bool need_client_auth = false) {
    return std::make_unique<apache_zookeeper>(
        apache_zookeeper_options{.tls = zookeeper_tls{.key_and_cert = key_and_cert,
                                                      .trust = material_->ca_cert(),
                                                      .need_client_auth = need_client_auth}});
  }

  static client_options options(const std::string& servers, tls_options t) {
    return {.connect_string = servers, .session_timeout = 6000ms, .tls = std::move(t)};
  }

  static bool is_tls_error(std::error_code ec) {
    return ec.category() == asio::error::get_ssl_category() ||
           ec.category() == asio::ssl::error::get_stream_category();
  }

  static std::unique_ptr<tls_material> material_;
};

std::unique_ptr<tls_material> tls::material_;

TEST_F(tls, verified_connection_serves_requests) {
  auto zk = secure_server(material_->server_key_and_cert());
  for (const auto& host : {std::string{"127.0.0.1"}, std::string{"localhost"}}) {
    client c{options(host + ":" + std::to_string(zk->secure_port()),
                     {.ca_file = material_->ca_cert().string()})};
    c.connect();
    const auto p = "/tls-" + host;
    EXPECT_EQ(c.create(p, "secret"), p);
    EXPECT_EQ(c.get_data(p).data, "secret");
    c.close();
  }
}

TEST_F(tls, unknown_certificate_authority_fails_with_a_tls_error) {
  auto zk = secure_server(material_->server_key_and_cert());
  client c{options(zk->secure_connect_string(), {.ca_file = material_->other_ca_cert().string()})};
  std::error_code ec;
  c.connect(ec);
  EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
  EXPECT_NE(ec.message().find("certificate verify failed"), std::string::npos) << ec.message();
}

TEST_F(tls, certificate_for_another_host_fails_unless_host_checks_are_off) {
  auto zk = secure_server(material_->wrong_host_key_and_cert());
  client strict{options(zk->secure_connect_string(), {.ca_file = material_->ca_cert().string()})};
  std::error_code ec;
  strict.connect(ec);
  EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();

  client lax{options(zk->secure_connect_string(),
                     {.ca_file = material_->ca_cert().string(), .verify_hostname = false})};
  lax.connect();
  EXPECT_TRUE(lax.exists("/"));
}

TEST_F(tls, mutual_tls_needs_the_client_certificate) {
  auto zk = secure_server(material_->server_key_and_cert(), /*need_client_auth=*/true);
  client anonymous{
      options(zk->secure_connect_string(), {.ca_file = material_->ca_cert().string()})};
  std::error_code ec;
  anonymous.connect(ec);
  EXPECT_TRUE(ec) << "a client without a certificate got in";

  client known{
      options(zk->secure_connect_string(), {.ca_file = material_->ca_cert().string(),
                                            .cert_file = material_->client_cert().string(),
                                            .key_file = material_->client_key().string()})};
  known.connect();
  EXPECT_TRUE(known.exists("/"));
}

}  // namespace
}  // namespace zkpp::test
