#include "session.hpp"

#include <asio/use_future.hpp>

#include <future>

#include "failure.hpp"

namespace zkpp::cli {

session::session(const global_options& global) {
  client_options options;
  options.connect_string = global.servers;
  options.request_timeout = global.connect_timeout();
  zk_ = std::make_unique<client>(options);
  auto connected = zk_->async_connect(asio::use_future);
  const auto bound = global.connect_timeout();
  if (connected.wait_for(bound) != std::future_status::ready)
    throw cli_failure(
        exit_code::cannot_connect,
        "cannot connect to " + global.servers + " within " + std::to_string(bound.count()) + " ms");
  try {
    connected.get();
  } catch (const std::system_error& e) {
    throw cli_failure(exit_code::cannot_connect,
                      "cannot connect to " + global.servers + ": " + e.code().message());
  }
}

session::~session() {
  std::error_code ignored;
  zk_->close(ignored);
}

}  // namespace zkpp::cli
