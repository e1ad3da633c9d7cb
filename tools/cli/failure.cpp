#include "failure.hpp"

namespace zkpp::cli {

zk_failure::zk_failure(std::error_code code, std::string path)
    : std::runtime_error(code.message() + ": " + path), code_(code), path_(std::move(path)) {}

void check(std::error_code ec, const std::string& path) {
  if (ec) throw zk_failure(ec, path);
}

}  // namespace zkpp::cli
