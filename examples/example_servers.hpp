#pragma once

#include <unistd.h>

#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "remove_tree.hpp"
#include "zkpp/client.hpp"
#include "zkpp/server.hpp"

namespace zkpp::examples {

// The servers an example talks to: `--server HOSTS` from the command line,
// or else a reference server embedded in the example on a free loopback port.
class example_servers {
 public:
  example_servers(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i)
      if (std::strcmp(argv[i], "--server") == 0) hosts_ = argv[++i];
    if (hosts_.empty()) {
      embedded_.start();
      hosts_ = embedded_.connect_string();
      std::cout << "embedded zkpp server on " << hosts_ << "\n";
    }
  }

  const std::string& hosts() const { return hosts_; }

 private:
  server embedded_{{.port = 0}};
  std::string hosts_;
};

// An example's main(): runs `body(hosts, root)` against the chosen servers
// with a root path of its own (`/<name>-<pid>`, removed afterwards), prints
// `finished` when it returns and the error when it throws; the exit status.
template <class Body>
int run_example(int argc, char** argv, const std::string& name, const std::string& finished,
                Body body) {
  try {
    const example_servers chosen{argc, argv};
    const std::string root = "/" + name + "-" + std::to_string(::getpid());
    body(chosen.hosts(), root);
    client zk{{.connect_string = chosen.hosts()}};
    zk.connect();
    remove_tree(zk, root);
    zk.close();
    std::cout << finished << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace zkpp::examples
