// The zkpp client in synchronous style: each call blocks until the server
// answers, throws std::system_error, or fills an std::error_code& instead.
//   zkpp-sync-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <iostream>

#include "run_example.hpp"
#include "zkpp/client.hpp"

int main(int argc, char** argv) {
  return zkpp::examples::run_example(
      argc, argv, "sync", [](const std::string& servers, const std::string& root) {
        // Without an executor the client runs its own I/O thread.
        zkpp::client zk{{.connect_string = servers}};
        zk.connect();
        std::cout << "session 0x" << std::hex << zk.session_id() << std::dec << "\n";

        zk.create(root, "");
        zk.create(root + "/config", "limit=10");
        const auto [data, stat] = zk.get_data(root + "/config");
        std::cout << "read '" << data << "' at version " << stat.version << "\n";
        zk.set_data(root + "/config", "limit=20", stat.version);

        std::error_code ec;
        zk.set_data(root + "/config", "limit=30", stat.version, ec);
        std::cout << "a write with a stale version is refused: " << ec.message() << "\n";
        try {
          zk.get_data(root + "/missing");
        } catch (const std::system_error& e) {
          std::cout << "or thrown: " << e.what() << "\n";
        }

        const auto job = zk.create(root + "/job-", "payload",
                                   {.mode = zkpp::create_mode::persistent_sequential});
        std::cout << "created " << job << "; children of the root: " << zk.get_children(root).size()
                  << "\n";
        zk.close();
      });
}
