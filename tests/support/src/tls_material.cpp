#include "zkpp/test/tls_material.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

#include "zkpp/test/process.hpp"
#include "zookeeper_launch.hpp"

namespace zkpp::test {
namespace {

// Our own configuration, so that the system's openssl.cnf adds nothing:
// section "ca" for CAs, and one section per leaf with its subjectAltName.
std::string openssl_cnf() {
  std::string cnf =
      "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n"
      "[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
      "subjectKeyIdentifier = hash\n";
  for (auto [section, san] : {std::pair{"localhost", "DNS:localhost,IP:127.0.0.1"},
                              std::pair{"wrong_host", "DNS:wrong.example"}}) {
    cnf += std::string("[") + section +
           "]\nbasicConstraints = critical,CA:FALSE\n"
           "keyUsage = critical,digitalSignature,keyEncipherment\n"
           "extendedKeyUsage = serverAuth,clientAuth\nsubjectKeyIdentifier = hash\n"
           "authorityKeyIdentifier = keyid\nsubjectAltName = " +
           san + "\n";
  }
  return cnf;
}

constexpr const char* validity_days = "3";

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_command(argv, std::chrono::seconds{30});
  if (!result.ok()) throw std::runtime_error("tls_material: " + result.describe(argv));
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("tls_material: cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A self-signed CA: <dir>/<name>.key and <dir>/<name>.pem.
void make_ca(const std::filesystem::path& dir, const std::string& name, const std::string& cn) {
  openssl({"req", "-x509", "-config", (dir / "openssl.cnf").string(), "-extensions", "ca",
           "-newkey", "rsa:2048", "-nodes", "-keyout", (dir / (name + ".key")).string(), "-out",
           (dir / (name + ".pem")).string(), "-days", validity_days, "-subj", "/CN=" + cn});
}

// A leaf signed by <dir>/ca: <name>.key, <name>.pem and
// <name>-key-and-cert.pem, with the extensions of cnf section `section`.
void make_leaf(const std::filesystem::path& dir, const std::string& name, const std::string& cn,
               const std::string& section, int serial) {
  auto cnf = (dir / "openssl.cnf").string();
  auto key = dir / (name + ".key");
  auto cert = dir / (name + ".pem");
  auto csr = dir / (name + ".csr");
  openssl({"req", "-new", "-config", cnf, "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(),
           "-out", csr.string(), "-subj", "/CN=" + cn});
  openssl({"x509", "-req", "-in", csr.string(), "-CA", (dir / "ca.pem").string(), "-CAkey",
           (dir / "ca.key").string(), "-set_serial", std::to_string(serial), "-days", validity_days,
           "-extfile", cnf, "-extensions", section, "-out", cert.string()});
  std::filesystem::remove(csr);
  detail::write_text_file(dir / (name + "-key-and-cert.pem"), read_file(key) + read_file(cert));
}

}  // namespace

tls_material::tls_material() : dir_("zkpp-tls") {
  if (find_program("openssl").empty())
    throw std::runtime_error("tls_material: openssl not found in PATH");
  detail::write_text_file(dir_ / "openssl.cnf", openssl_cnf());
  make_ca(dir_.path(), "ca", "zkpp test CA");
  make_leaf(dir_.path(), "server", "localhost", "localhost", 2);
  make_leaf(dir_.path(), "client", "zkpp-test-client", "localhost", 3);
  make_leaf(dir_.path(), "wrong-host", "wrong.example", "wrong_host", 4);
  make_ca(dir_.path(), "other-ca", "zkpp unrelated test CA");
}

command_result openssl_s_client(std::uint16_t port, const s_client_options& options) {
  std::vector<std::string> argv{"openssl", "s_client", "-connect",
                                "127.0.0.1:" + std::to_string(port)};
  if (!options.ca_file.empty()) argv.insert(argv.end(), {"-CAfile", options.ca_file.string()});
  if (!options.cert.empty()) argv.insert(argv.end(), {"-cert", options.cert.string()});
  if (!options.key.empty()) argv.insert(argv.end(), {"-key", options.key.string()});
  if (!options.verify_hostname.empty())
    argv.insert(argv.end(), {"-verify_hostname", options.verify_hostname});
  if (!options.verify_ip.empty()) argv.insert(argv.end(), {"-verify_ip", options.verify_ip});
  if (options.verify_return_error) argv.push_back("-verify_return_error");
  return run_command(argv, options.timeout);
}

std::string tls_handshake_error(std::uint16_t port, const s_client_options& options) {
  auto result = openssl_s_client(port, options);
  if (result.ok() && result.output.find("Verify return code: 0 (ok)") != std::string::npos &&
      result.output.find("Cipher is (NONE)") == std::string::npos)
    return {};
  return "TLS handshake with 127.0.0.1:" + std::to_string(port) +
         " failed: " + result.describe({"openssl s_client"});
}

}  // namespace zkpp::test
