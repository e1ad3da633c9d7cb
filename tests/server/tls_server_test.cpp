// zkpp::server's secure port, embedded in the test: zkpp::client over TLS,
// certificates it must refuse, client certificates, bad TLS files, and a
// session moving between the plain and the secure port.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include "../integration/waiting.hpp"
#include "raw_client.hpp"
#include "tls_setup.hpp"
#include "zkpp/test/require.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

class tls_server_test : public ::testing::Test {
 protected:
  void SetUp() override { ZKPP_REQUIRE_PROGRAM("openssl"); }

  void start(server_tls_options tls) {
    server_ = std::make_unique<server>(server_options{.port = 0, .tls = std::move(tls)});
    server_->start();
  }

  client_options secure(tls_options tls) const {
    return {.connect_string = server_->secure_connect_string(), .tls = std::move(tls)};
  }

  // How a connect attempt ended, within the deadline.
  static std::error_code connect_outcome(client& c, const std::string& what) {
    recorder<std::error_code> outcome;
    c.async_connect([o = outcome](std::error_code ec) { o.push(ec); });
    return outcome.next(what);
  }

  std::unique_ptr<server> server_;
};

TEST_F(tls_server_test, serves_both_ports_and_reports_the_secure_one) {
  start(server_tls());
  EXPECT_NE(server_->secure_port(), 0);
  EXPECT_NE(server_->secure_port(), server_->port());
  EXPECT_EQ(server_->secure_connect_string(),
            "127.0.0.1:" + std::to_string(server_->secure_port()));
  EXPECT_EQ(server_->options().tls->secure_port, server_->secure_port());
  EXPECT_EQ(tls_handshake_error(server_->secure_port(), {.ca_file = shared_tls_material().ca_cert(),
                                                         .verify_ip = "127.0.0.1"}),
            "");

  server plain{{.port = 0}};
  plain.start();
  EXPECT_EQ(plain.secure_port(), 0);
  EXPECT_EQ(plain.secure_connect_string(), "");
}

TEST_F(tls_server_test, client_over_tls_creates_reads_and_gets_watch_events) {
  start(server_tls());
  client zk{secure(client_tls())};
  await(zk.async_connect(asio::use_future), "a TLS connect to the secure port");
  EXPECT_EQ(zk.create("/tls", "secret"), "/tls");
  EXPECT_EQ(zk.get_data("/tls").data, "secret");

  event_recorder events;
  EXPECT_EQ(zk.get_data("/tls", record_into(events)).data, "secret");
  // The change comes from the plain port: both ports serve one tree.
  client plain{{.connect_string = server_->connect_string()}};
  await(plain.async_connect(asio::use_future), "a connect to the plain port");
  plain.set_data("/tls", "changed");
  const auto e = events.next("the data watch event over TLS");
  EXPECT_EQ(e.type, event_type::node_data_changed);
  EXPECT_EQ(e.path, "/tls");
  EXPECT_EQ(zk.get_data("/tls").data, "changed");
}

TEST_F(tls_server_test, a_client_trusting_another_ca_fails_with_a_tls_error) {
  start(server_tls());
  auto options = secure(client_tls());
  options.tls->ca_file = shared_tls_material().other_ca_cert().string();
  client zk{options};
  const auto ec = connect_outcome(zk, "the connect with an untrusted CA to fail");
  EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
  EXPECT_NE(ec.message().find("certificate verify failed"), std::string::npos) << ec.message();
  EXPECT_TRUE(server_->sessions().empty());
}

TEST_F(tls_server_test, a_plain_client_on_the_secure_port_gets_no_session) {
  start(server_tls());
  client zk{{.connect_string = server_->secure_connect_string()}};
  EXPECT_TRUE(connect_outcome(zk, "a plain connect to the secure port to fail"));
  EXPECT_TRUE(server_->sessions().empty());
}

TEST_F(tls_server_test, a_tls_handshake_that_never_starts_is_closed_after_the_sessionless_timeout) {
  server_ = std::make_unique<server>(server_options{
      .port = 0, .tls = server_tls(), .tick_time = 20ms, .sessionless_timeout = 100ms});
  server_->start();
  raw_client silent{server_->secure_port()};
  EXPECT_TRUE(
      silent.closed_by_server("the close of a TLS connection that never began its handshake"));
}

TEST_F(tls_server_test, required_client_certificates_keep_anonymous_clients_out) {
  start(server_tls(/*require_client_cert=*/true));
  client anonymous{secure(client_tls())};
  EXPECT_TRUE(connect_outcome(anonymous, "the connect without a client certificate to fail"))
      << "a client without a certificate got in";
  EXPECT_TRUE(server_->sessions().empty());

  auto foreign = secure(client_tls(true));
  foreign.tls->cert_file = shared_tls_material().wrong_host_cert().string();
  foreign.tls->key_file = shared_tls_material().wrong_host_key().string();
  {
    // Signed by the right CA, so it is accepted: the server checks the
    // chain, not the client's name.
    client signed_by_ca{foreign};
    await(signed_by_ca.async_connect(asio::use_future), "a connect with another CA-signed cert");
  }

  client known{secure(client_tls(/*with_client_cert=*/true))};
  await(known.async_connect(asio::use_future), "a connect with the client certificate");
  EXPECT_TRUE(known.exists("/"));
}

TEST_F(tls_server_test, bad_tls_files_make_start_throw_naming_the_file) {
  const auto& m = shared_tls_material();
  const auto missing = (m.directory() / "missing.pem").string();
  const auto start_fails_naming = [](server_tls_options tls, const std::string& file) {
    server s{{.port = 0, .tls = std::move(tls)}};
    try {
      s.start();
      ADD_FAILURE() << "start() accepted a bad TLS file " << file;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string{e.what()}.find("'" + file + "'"), std::string::npos) << e.what();
    }
  };
  auto tls = server_tls();
  tls.cert_file = missing;
  start_fails_naming(tls, missing);
  tls = server_tls();
  tls.key_file = m.client_key().string();  // not the key of the server certificate
  start_fails_naming(tls, tls.key_file);
  tls = server_tls();
  tls.key_file = m.server_cert().string();  // a certificate, no key
  start_fails_naming(tls, tls.key_file);
  tls = server_tls(true);
  tls.ca_file = m.server_key().string();  // a key, no certificate
  start_fails_naming(tls, tls.ca_file);

  server no_cert{{.port = 0, .tls = server_tls_options{}}};
  EXPECT_THROW(no_cert.start(), std::runtime_error);
}

TEST_F(tls_server_test, a_session_moves_between_the_plain_and_the_secure_port) {
  start(server_tls());
  client zk{secure(client_tls())};
  recorder<session_state> states;
  zk.on_state(states.pusher());
  await(zk.async_connect(asio::use_future), "a TLS connect");
  EXPECT_EQ(states.next("connected"), session_state::connected);
  zk.create("/moving", "", {.mode = create_mode::ephemeral});
  const auto id = zk.session_id();

  // A plain connection takes the session over from the TLS one...
  raw_client plain{server_->port()};
  const auto r = plain.handshake(id, zk.session_password());
  EXPECT_EQ(r.session_id, id);
  EXPECT_GT(r.time_out, 0);
  // ...which is closed; the client resumes it over TLS again.
  EXPECT_EQ(states.next("suspended after the move to the plain port"), session_state::suspended);
  EXPECT_EQ(states.next("reconnected over TLS"), session_state::reconnected);
  EXPECT_EQ(zk.session_id(), id);
  EXPECT_TRUE(zk.exists("/moving"));
  EXPECT_TRUE(plain.closed_by_server("the plain connection's close once the session moved back"));
  EXPECT_EQ(server_->sessions(), std::vector<std::int64_t>{id});
}

}  // namespace
}  // namespace zkpp::test
