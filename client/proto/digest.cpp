#include <openssl/evp.h>
#include <openssl/sha.h>

#include "zkpp/auth.hpp"

namespace zkpp {

std::string digest_id(std::string_view user, std::string_view password) {
  std::string input;
  input.reserve(user.size() + 1 + password.size());
  input.append(user).append(":").append(password);
  unsigned char hash[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), hash);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, hash, SHA_DIGEST_LENGTH);
  return std::string{user} + ":" +
         std::string{reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n)};
}

}  // namespace zkpp
