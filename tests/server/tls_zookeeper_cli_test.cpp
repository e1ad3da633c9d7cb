// Apache ZooKeeper's Java CLI (ZooKeeperMain over Netty, PEM trust and key
// stores) against zkpp-server's secure port.

#include "tls_binary_fixture.hpp"
#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/command.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

class tls_zookeeper_cli_test : public tls_binary_fixture {
 protected:
  void SetUp() override {
    tls_binary_fixture::SetUp();
    ZKPP_REQUIRE_APACHE_ZOOKEEPER();
  }

  // Runs one CLI command over TLS; returns what it printed. The CLI exits 0
  // even when a command fails, so callers check the output.
  std::string cli(const std::vector<std::string>& command, bool with_client_cert) const {
    const auto& m = shared_tls_material();
    std::vector<std::string> properties{
        "zookeeper.client.secure=true",
        "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
        "zookeeper.ssl.trustStore.location=" + m.ca_cert().string(),
        "zookeeper.ssl.trustStore.type=PEM"};
    if (with_client_cert) {
      properties.push_back("zookeeper.ssl.keyStore.location=" + m.client_key_and_cert().string());
      properties.push_back("zookeeper.ssl.keyStore.type=PEM");
    }
    const auto argv = zookeeper_cli_command(secure_connect_string_, command, properties);
    const auto result = run_command(argv, 60s);
    EXPECT_TRUE(result.ok()) << result.describe(argv);
    return result.output;
  }

  // create PATH DATA, then get PATH, each in a CLI of its own.
  void create_and_read_back(const std::string& path, const std::string& data,
                            bool with_client_cert) {
    const auto created = cli({"create", path, data}, with_client_cert);
    EXPECT_NE(created.find("Created " + path), std::string::npos) << created;
    const auto read = cli({"get", path}, with_client_cert);
    EXPECT_NE(read.find("\n" + data + "\n"), std::string::npos) << read;
  }
};

TEST_F(tls_zookeeper_cli_test, creates_and_reads_over_tls) {
  start(/*need_client_auth=*/false);
  create_and_read_back("/x", "y", /*with_client_cert=*/false);
}

TEST_F(tls_zookeeper_cli_test, presents_its_pem_key_store_when_the_server_needs_one) {
  start(/*need_client_auth=*/true);
  create_and_read_back("/mutual", "tls", /*with_client_cert=*/true);
}

}  // namespace
}  // namespace zkpp::test
