// The zkpp client with asio::use_future: every operation returns an
// std::future, so requests are sent at once and many can be in flight
// (pipelined) before the first answer is awaited.
//   zkpp-futures-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <asio/use_future.hpp>
#include <future>
#include <iostream>
#include <vector>

#include "run_example.hpp"
#include "zkpp/client.hpp"

int main(int argc, char** argv) {
  return zkpp::examples::run_example(
      argc, argv, "futures", [](const std::string& servers, const std::string& root) {
        zkpp::client zk{{.connect_string = servers}};
        zk.async_connect(asio::use_future).get();
        zk.async_create(root, "", asio::use_future).get();
        std::vector<std::future<std::string>> created;
        for (int i = 0; i < 100; ++i)
          created.push_back(zk.async_create(root + "/item-", std::to_string(i),
                                            {.mode = zkpp::create_mode::persistent_sequential},
                                            asio::use_future));
        std::cout << "100 creates in flight; first: " << created.front().get()
                  << ", last: " << created.back().get() << "\n";

        auto children = zk.async_get_children(root, asio::use_future);
        auto count = zk.async_get_all_children_number(root, asio::use_future);
        std::cout << "children: " << children.get().size()
                  << ", counted by the server: " << count.get() << "\n";
        try {
          zk.async_get_data(root + "/missing", asio::use_future).get();
        } catch (const std::system_error& e) {
          std::cout << "a failed operation's future throws: " << e.what() << "\n";
        }
        zk.async_close(asio::use_future).get();
      });
}
