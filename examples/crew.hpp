#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "narration.hpp"
#include "zkpp/client.hpp"

namespace zkpp::examples {

// `size` members named <prefix>1, <prefix>2...: each runs `step(name,
// session)` on a thread and a session of its own. A step returns false when
// a wait timed out, which join_and_check reports (as it does an exception).
class crew {
 public:
  using step = std::function<bool(const std::string& name, client& session)>;

  crew(const std::string& servers, int size, const std::string& prefix, step s) {
    for (int i = 1; i <= size; ++i)
      threads_.emplace_back([this, servers, s, name = prefix + std::to_string(i)] {
        try {
          client zk{{.connect_string = servers}};
          zk.connect();
          if (!s(name, zk)) failed_ = true;
          zk.close();
        } catch (const std::exception& e) {
          say(name + " failed: " + e.what());
          failed_ = true;
        }
      });
  }
  void join_and_check() {
    threads_.clear();
    if (failed_) throw std::runtime_error("a member failed or waited in vain");
  }

 private:
  std::atomic<bool> failed_{false};
  std::vector<std::jthread> threads_;
};

}  // namespace zkpp::examples
