// zkpp-server's TLS flags: --secure-port 0 with the certificates made at test
// time, zkpp::client over TLS, and a clear exit on a bad file.

#include <asio/use_future.hpp>

#include "tls_binary_fixture.hpp"
#include "zkpp/test/command.hpp"

namespace zkpp::test {
namespace {

using tls_binary_test = tls_binary_fixture;

TEST_F(tls_binary_test, prints_the_secure_port_and_serves_tls_clients) {
  start(/*need_client_auth=*/false);
  EXPECT_NE(secure_connect_string_, connect_string_);
  EXPECT_TRUE(secure_connect_string_.starts_with("127.0.0.1:")) << secure_connect_string_;
  client zk{{.connect_string = secure_connect_string_, .tls = client_tls()}};
  await(zk.async_connect(asio::use_future), "a TLS connect to zkpp-server's secure port");
  EXPECT_EQ(zk.create("/over-tls", "x"), "/over-tls");
  client plain{{.connect_string = connect_string_}};
  await(plain.async_connect(asio::use_future), "a connect to zkpp-server's plain port");
  EXPECT_EQ(plain.get_data("/over-tls").data, "x");
}

TEST_F(tls_binary_test, client_auth_need_requires_a_client_certificate) {
  start(/*need_client_auth=*/true);
  client anonymous{{.connect_string = secure_connect_string_, .tls = client_tls()}};
  recorder<std::error_code> outcome;
  anonymous.async_connect([o = outcome](std::error_code ec) { o.push(ec); });
  EXPECT_TRUE(outcome.next("the connect without a client certificate to fail"));
  client known{{.connect_string = secure_connect_string_, .tls = client_tls(true)}};
  await(known.async_connect(asio::use_future), "a connect with the client certificate");
  EXPECT_TRUE(known.exists("/"));
}

TEST_F(tls_binary_test, a_missing_certificate_file_ends_the_program_with_its_name) {
  const auto missing = (shared_tls_material().directory() / "missing.pem").string();
  const std::vector<std::string> argv{
      ZKPP_SERVER_BINARY, "--port", "0",         "--secure-port",      "0",
      "--tls-cert",       missing,  "--tls-key", server_tls().key_file};
  const auto result = run_command(argv);
  EXPECT_EQ(result.exit_code, 1) << result.describe(argv);
  EXPECT_NE(result.output.find("'" + missing + "'"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("listening on"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace zkpp::test
