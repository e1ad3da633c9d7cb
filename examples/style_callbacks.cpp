// The zkpp client with completion handlers: each step starts the next from
// its handler, a watch reports the change, and io.run() returns when the
// chain is over. Handlers run on the client's executor (here: this thread),
// in the order the server answered.
//   zkpp-callbacks-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <asio/io_context.hpp>
#include <iostream>

#include "run_example.hpp"
#include "zkpp/client.hpp"

namespace {

// Stops the chain with a message on the first error.
bool failed(std::error_code ec, const char* what) {
  if (ec) std::cerr << what << ": " << ec.message() << "\n";
  return static_cast<bool>(ec);
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(
      argc, argv, "callbacks", [](const std::string& servers, const std::string& node) {
        asio::io_context io;
        zkpp::client zk{io.get_executor(), {.connect_string = servers}};
        bool finished = false;
        const auto clean_up = [&] {
          zk.async_remove(node, -1, [&](std::error_code ec) {
            if (failed(ec, "remove")) return;
            zk.async_close([&](std::error_code) { finished = true; });
          });
        };
        const auto watch_then_write = [&] {
          const zkpp::watcher on_change = [&](const zkpp::watch_event& e) {
            std::cout << "watch: " << zkpp::to_string(e.type) << " " << e.path << "\n";
            clean_up();
          };
          zk.async_get_data(node, on_change, [&](std::error_code ec, zkpp::data_result r) {
            if (failed(ec, "get_data")) return;
            std::cout << "read '" << r.data << "', watching it\n";
            zk.async_set_data(node, "v2", r.stat.version, [&](std::error_code ec, zkpp::stat st) {
              if (!failed(ec, "set_data")) std::cout << "wrote version " << st.version << "\n";
            });
          });
        };
        zk.async_connect([&](std::error_code ec) {
          if (failed(ec, "connect")) return;
          zk.async_create(node, "v1", [&](std::error_code ec, std::string path) {
            if (failed(ec, "create")) return;
            std::cout << "created " << path << "\n";
            watch_then_write();
          });
        });
        io.run();
        if (!finished) throw std::runtime_error("the chain of callbacks stopped early");
      });
}
