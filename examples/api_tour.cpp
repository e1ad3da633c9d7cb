// A guided tour of the zkpp client API in its four styles: callbacks,
// futures, coroutines and synchronous calls; against a reference server
// started in this process, or a real ensemble.
//   zkpp-tour [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <unistd.h>
#include <cstring>
#include <future>
#include <iostream>

#include "example_servers.hpp"
#include "zkpp/client.hpp"

namespace {

void say(const std::string& line) {
  std::cout << "  " << line << std::endl;
}

// Synchronous calls throw std::system_error, or fill an std::error_code&.
void sync_style(zkpp::client& zk, const std::string& root) {
  std::cout << "sync calls\n";
  zk.create(root + "/config", "limit=10");
  const auto [data, stat] = zk.get_data(root + "/config");
  say("read '" + data + "' at version " + std::to_string(stat.version));
  zk.set_data(root + "/config", "limit=20", stat.version);
  std::error_code ec;
  zk.set_data(root + "/config", "limit=30", stat.version, ec);
  say("a stale version is refused: " + ec.message());
}

// Callbacks run on the client's strand, in the order the server answered.
void callback_style(zkpp::client& zk, const std::string& root) {
  std::cout << "callbacks and watches\n";
  std::promise<void> changed;
  zk.get_data(root + "/config", [&](const zkpp::watch_event& e) {
    say(std::string{"watch fired: "} + zkpp::to_string(e.type) + " " + e.path);
    changed.set_value();
  });
  std::promise<void> written;
  zk.async_set_data(root + "/config", "limit=40", -1, [&](std::error_code ec, zkpp::stat st) {
    say("callback: set_data -> " + (ec ? ec.message() : "version " + std::to_string(st.version)));
    written.set_value();
  });
  written.get_future().get();
  changed.get_future().get();
}

// Any operation returns a std::future with asio::use_future.
void future_style(zkpp::client& zk, const std::string& root) {
  std::cout << "futures\n";
  auto created =
      zk.async_create(root + "/job-", "payload", {.mode = zkpp::create_mode::persistent_sequential},
                      asio::use_future);
  say("created " + created.get());
  auto children = zk.async_get_children(root, asio::use_future);
  say("children of " + root + ": " + std::to_string(children.get().size()));
}

// With asio::use_awaitable the same operations are awaited in coroutines.
asio::awaitable<void> coroutine_style(zkpp::client& zk, std::string root) {
  std::cout << "coroutines\n";
  const std::vector<zkpp::multi_op> ops{zkpp::op::create{root + "/a", std::string{"1"}},
                                        zkpp::op::create{root + "/b", std::string{"2"}},
                                        zkpp::op::check{root + "/config", -1}};
  const auto result = co_await zk.async_multi(ops, asio::use_awaitable);
  say("a transaction created " + result[0].path + " and " + result[1].path);
  const auto stat = co_await zk.async_exists(root + "/b", asio::use_awaitable);
  say(std::string{"exists: "} + (stat ? "yes" : "no"));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const zkpp::examples::example_servers chosen{argc, argv};
    const auto& servers = chosen.hosts();
    asio::io_context io;
    zkpp::client zk{io.get_executor(), {.connect_string = servers}};
    zk.on_state([](zkpp::session_state s) { say(std::string{"session state: "} + to_string(s)); });
    std::thread io_thread{[&io] {
      auto work = asio::make_work_guard(io);
      io.run();
    }};

    zk.connect();
    const std::string root = "/zkpp-tour-" + std::to_string(::getpid());
    zk.create(root, "");
    sync_style(zk, root);
    callback_style(zk, root);
    future_style(zk, root);
    asio::co_spawn(io, coroutine_style(zk, root), asio::use_future).get();

    for (const auto& child : zk.get_children(root)) zk.remove(root + "/" + child);
    zk.remove(root);
    zk.close();
    io.stop();
    io_thread.join();
    std::cout << "tour finished\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "zkpp-tour: " << e.what() << "\n";
    return 1;
  }
}
