#pragma once

// zkpp-server (the binary) with a TLS port on a free port (--secure-port 0),
// using the test certificates.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server_program.hpp"
#include "tls_setup.hpp"
#include "zkpp/test/require.hpp"

namespace zkpp::test {

class tls_binary_fixture : public ::testing::Test {
 protected:
  void SetUp() override { ZKPP_REQUIRE_PROGRAM("openssl"); }

  void start(bool need_client_auth) {
    const auto tls = server_tls();
    server_ = std::make_unique<server_program>(std::vector<std::string>{
        "--secure-port", "0", "--tls-cert", tls.cert_file, "--tls-key", tls.key_file, "--tls-ca",
        tls.ca_file, "--tls-client-auth", need_client_auth ? "need" : "none"});
    connect_string_ = server_->connect_string();
    secure_connect_string_ = server_->expect_line("zkpp-server secure on ", "the TLS address");
  }

  std::unique_ptr<server_program> server_;
  std::string connect_string_;
  std::string secure_connect_string_;
};

}  // namespace zkpp::test
