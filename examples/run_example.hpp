#pragma once

#include <unistd.h>

#include <exception>
#include <functional>
#include <iostream>
#include <string>

#include "example_servers.hpp"
#include "remove_tree.hpp"
#include "zkpp/client.hpp"

namespace zkpp::examples {

// What every example does around its own part: picks the servers (embedded,
// or `--server HOSTS`), gives `body` a root path of its own, removes that
// tree afterwards and prints "<name> example finished"; an error goes to
// stderr with exit status 1.
inline int run_example(
    int argc, char** argv, const std::string& name,
    const std::function<void(const std::string& servers, const std::string& root)>& body) {
  try {
    const example_servers chosen{argc, argv};
    const std::string root = "/zkpp-" + name + "-example-" + std::to_string(::getpid());
    body(chosen.hosts(), root);

    client zk{{.connect_string = chosen.hosts()}};
    zk.connect();
    remove_tree(zk, root);
    zk.close();
    std::cout << name << " example finished\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "zkpp-" << name << "-example: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace zkpp::examples
