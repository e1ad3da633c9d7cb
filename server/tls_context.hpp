#pragma once

#include <asio/ssl/context.hpp>

#include "zkpp/server.hpp"

namespace zkpp::detail::server {

// The OpenSSL context of the secure port: TLS 1.2 or later, the server's
// certificate and key, and (with require_client_cert) client certificates
// checked against ca_file. Throws std::runtime_error naming the file that
// is missing, unreadable or not usable.
asio::ssl::context make_tls_context(const server_tls_options& options);

}  // namespace zkpp::detail::server
