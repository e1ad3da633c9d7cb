#include "tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>
#include <string>

namespace zkpp::detail::server {
namespace {

// Runs `load` (an asio::ssl::context member taking an error_code) and turns
// its failure into an exception that names what was loaded from where.
template <class Load>
void load_file(const char* what, const std::string& file, Load load) {
  if (file.empty())
    throw std::runtime_error(std::string{"zkpp::server TLS: no "} + what + " file given");
  std::error_code ec;
  load(ec);
  if (ec)
    throw std::runtime_error(std::string{"zkpp::server TLS: cannot use the "} + what + " file '" +
                             file + "': " + ec.message());
}

}  // namespace

asio::ssl::context make_tls_context(const server_tls_options& o) {
  asio::ssl::context ctx{asio::ssl::context::tls_server};
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  load_file("certificate", o.cert_file,
            [&](std::error_code& ec) { ctx.use_certificate_chain_file(o.cert_file, ec); });
  // OpenSSL checks here that the key belongs to the certificate.
  load_file("private key", o.key_file, [&](std::error_code& ec) {
    ctx.use_private_key_file(o.key_file, asio::ssl::context::pem, ec);
  });
  if (!o.ca_file.empty()) {
    load_file("CA", o.ca_file, [&](std::error_code& ec) { ctx.load_verify_file(o.ca_file, ec); });
    // Names the accepted CAs in the certificate request, so that a client
    // with several certificates (a Java key store) picks a fitting one.
    if (auto* names = SSL_load_client_CA_file(o.ca_file.c_str()))
      SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
  } else if (o.require_client_cert) {
    ctx.set_default_verify_paths();
  }
  if (o.require_client_cert) {
    ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    // OpenSSL refuses to resume sessions of verified clients without one.
    static constexpr unsigned char session_context[] = "zkpp-server";
    SSL_CTX_set_session_id_context(ctx.native_handle(), session_context,
                                   sizeof session_context - 1);
  } else {
    ctx.set_verify_mode(asio::ssl::verify_none);
  }
  return ctx;
}

}  // namespace zkpp::detail::server
