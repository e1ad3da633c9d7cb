#pragma once

// TLS for the reference server's tests: one set of throwaway certificates per
// test program (made with openssl on first use), the server's TLS options
// and the options of clients that trust its CA.

#include <asio/ssl/error.hpp>

#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/server.hpp"
#include "zkpp/test/tls_material.hpp"

namespace zkpp::test {

inline const tls_material& shared_tls_material() {
  static const tls_material material;
  return material;
}

// The server certificate for 127.0.0.1 / localhost, signed by the test CA.
inline server_tls_options server_tls(bool require_client_cert = false) {
  const auto& m = shared_tls_material();
  return {.cert_file = m.server_cert().string(),
          .key_file = m.server_key().string(),
          .ca_file = m.ca_cert().string(),
          .require_client_cert = require_client_cert};
}

// Trusts the test CA; with_client_cert: presents the test client certificate.
inline tls_options client_tls(bool with_client_cert = false) {
  const auto& m = shared_tls_material();
  tls_options t{.ca_file = m.ca_cert().string()};
  if (with_client_cert) {
    t.cert_file = m.client_cert().string();
    t.key_file = m.client_key().string();
  }
  return t;
}

inline bool is_tls_error(std::error_code ec) {
  return ec.category() == asio::error::get_ssl_category() ||
         ec.category() == asio::ssl::error::get_stream_category();
}

}  // namespace zkpp::test
