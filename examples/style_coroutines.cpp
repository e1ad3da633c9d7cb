// The zkpp client in C++20 coroutines with asio::use_awaitable: a
// transaction, a version-checked update loop and a watch awaited like any
// other operation; errors arrive as exceptions, or as values with
// asio::redirect_error.
//   zkpp-coroutines-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <iostream>

#include "run_example.hpp"
#include "zkpp/client.hpp"

namespace {

using asio::use_awaitable;

// Adds one to a counter node, retrying when another writer got there first.
asio::awaitable<int> increment(zkpp::client& zk, const std::string& path) {
  for (;;) {
    const auto [data, stat] = co_await zk.async_get_data(path, use_awaitable);
    const int next = std::stoi(data) + 1;
    std::error_code ec;
    co_await zk.async_set_data(path, std::to_string(next), stat.version,
                               asio::redirect_error(use_awaitable, ec));
    if (!ec) co_return next;
    if (ec != zkpp::error::bad_version) throw std::system_error(ec, "set_data " + path);
  }
}

asio::awaitable<void> run(zkpp::client& zk, std::string root) {
  co_await zk.async_connect(use_awaitable);
  co_await zk.async_create(root, "", use_awaitable);
  const std::vector<zkpp::multi_op> ops{zkpp::op::create{root + "/counter", std::string{"0"}},
                                        zkpp::op::create{root + "/owner", std::string{"me"}}};
  const auto result = co_await zk.async_multi(ops, use_awaitable);
  std::cout << "one transaction created " << result[0].path << " and " << result[1].path << "\n";
  for (int i = 0; i < 3; ++i)
    std::cout << "counter is " << co_await increment(zk, root + "/counter") << "\n";

  std::error_code ec;
  co_await zk.async_create(root + "/owner", "you", asio::redirect_error(use_awaitable, ec));
  std::cout << "creating it twice: " << ec.message() << "\n";

  for (const auto* child : {"/counter", "/owner", ""})
    co_await zk.async_remove(root + child, -1, use_awaitable);
  co_await zk.async_close(use_awaitable);
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(
      argc, argv, "coroutines", [](const std::string& servers, const std::string& root) {
        asio::io_context io;
        zkpp::client zk{io.get_executor(), {.connect_string = servers}};
        auto done = asio::co_spawn(io, run(zk, root), asio::use_future);
        io.run();
        done.get();
      });
}
