#pragma once

#include <cstring>
#include <iostream>
#include <string>

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

}  // namespace zkpp::examples
