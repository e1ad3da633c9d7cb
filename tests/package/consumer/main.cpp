// Uses all three installed libraries: an embedded reference server, a client
// session to it and a distributed mutex; prints "ok" when the lock was held.
#include <zkpp/client.hpp>
#include <zkpp/recipes/mutex.hpp>
#include <zkpp/server.hpp>

#include <chrono>
#include <exception>
#include <iostream>

int main() {
  try {
    zkpp::server server{{.port = 0}};
    server.start();
    zkpp::client zk{{.connect_string = server.connect_string()}};
    zk.connect();
    zkpp::recipes::mutex lock{zk, "/consumer/lock"};
    if (!lock.try_lock_for(std::chrono::seconds{30})) {
      std::cerr << "lock on /consumer/lock not acquired within 30 s\n";
      return 1;
    }
    const bool held = lock.is_held();
    lock.unlock();
    zk.close();
    if (!held) {
      std::cerr << "try_lock_for succeeded but is_held() is false\n";
      return 1;
    }
    std::cout << "ok\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "consumer failed: " << e.what() << '\n';
    return 1;
  }
}
