#pragma once

// tls_material: throwaway TLS keys and certificates, made at test time with
// the `openssl` command (no network) in a temp dir that lives as long as the
// object. All keys are unencrypted PKCS#8 RSA PEM; certificates are valid for
// a few days from now.
//
//   ca_cert                  CA "zkpp test CA"
//   server_cert, server_key  CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
//                            signed by the CA (serverAuth + clientAuth)
//   server_key_and_cert      both in one PEM (ZooKeeper's PEM keyStore)
//   client_cert, client_key  CN=zkpp-test-client, signed by the CA, for
//                            mutual TLS (SAN DNS:localhost, IP:127.0.0.1 too,
//                            as ZooKeeper checks client hosts by default)
//   client_key_and_cert      both in one PEM
//   other_ca_cert            an unrelated CA ("wrong CA" tests)
//   wrong_host_key_and_cert  key + cert for CN/SAN DNS:wrong.example (no IP),
//                            signed by the (right) CA: hostname checks fail
//
// openssl_s_client(): a bounded `openssl s_client` against a loopback port,
// to check from the outside what a TLS server presents.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "zkpp/test/command.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {

class tls_material {
 public:
  // Generates everything; throws std::runtime_error (with openssl's output)
  // when openssl is missing or fails.
  tls_material();

  const std::filesystem::path& directory() const { return dir_.path(); }

  std::filesystem::path ca_cert() const { return dir_ / "ca.pem"; }
  std::filesystem::path ca_key() const { return dir_ / "ca.key"; }
  std::filesystem::path server_cert() const { return dir_ / "server.pem"; }
  std::filesystem::path server_key() const { return dir_ / "server.key"; }
  std::filesystem::path server_key_and_cert() const { return dir_ / "server-key-and-cert.pem"; }
  std::filesystem::path client_cert() const { return dir_ / "client.pem"; }
  std::filesystem::path client_key() const { return dir_ / "client.key"; }
  std::filesystem::path client_key_and_cert() const { return dir_ / "client-key-and-cert.pem"; }
  std::filesystem::path other_ca_cert() const { return dir_ / "other-ca.pem"; }
  std::filesystem::path wrong_host_cert() const { return dir_ / "wrong-host.pem"; }
  std::filesystem::path wrong_host_key() const { return dir_ / "wrong-host.key"; }
  std::filesystem::path wrong_host_key_and_cert() const {
    return dir_ / "wrong-host-key-and-cert.pem";
  }

 private:
  scoped_temp_dir dir_;
};

struct s_client_options {
  // -CAfile: the CA the server's certificate must chain to.
  std::filesystem::path ca_file{};
  // -cert / -key: a client certificate (both empty: none). One PEM holding
  // both may be given as both.
  std::filesystem::path cert{};
  std::filesystem::path key{};
  // -verify_hostname / -verify_ip when not empty.
  std::string verify_hostname{};
  std::string verify_ip{};
  // -verify_return_error: a failed verification aborts the handshake (exit
  // code 1) instead of being reported only.
  bool verify_return_error = true;
  std::chrono::milliseconds timeout{10000};
};

// Runs `openssl s_client -connect 127.0.0.1:<port> ...` with stdin at EOF,
// so it handshakes, reports, and exits; killed after options.timeout.
command_result openssl_s_client(std::uint16_t port, const s_client_options& options);

// "" when s_client completed a handshake and verified the server's chain
// ("Verify return code: 0 (ok)"); otherwise what went wrong (with the
// output of s_client).
std::string tls_handshake_error(std::uint16_t port, const s_client_options& options);

}  // namespace zkpp::test
