// Barriers with zkpp recipes: workers wait at a zkpp::recipes::barrier until
// a coordinator removes it, and the members of a
// zkpp::recipes::double_barrier enter a round together (nobody starts before
// all have arrived) and leave it together (nobody goes on before all have
// finished). Against a reference server started in this process, or a real
// ensemble.
//   zkpp-barriers-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <chrono>
#include <iostream>
#include <string>

#include "crew.hpp"
#include "narration.hpp"
#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/barrier.hpp"
#include "zkpp/recipes/double_barrier.hpp"

namespace {

using zkpp::examples::say;
constexpr std::chrono::seconds patience{20};

void gate(const std::string& servers, const std::string& path) {
  std::cout << "barrier: workers wait until the coordinator removes it\n";
  zkpp::client zk{{.connect_string = servers}};
  zk.connect();
  zkpp::recipes::barrier coordinator{zk, path};
  coordinator.set_barrier();
  say("coordinator set the barrier");
  zkpp::examples::told_log waiting{"workers"};
  zkpp::examples::crew workers{servers, 3, "worker-",
                               [&](const std::string& name, zkpp::client& session) {
                                 zkpp::recipes::barrier b{session, path};
                                 waiting.told(name + " waits at the barrier");
                                 if (!b.wait_on_barrier(patience)) return false;
                                 say(name + " passed");
                                 return true;
                               }};
  waiting.await(3);
  say("coordinator removes the barrier");
  coordinator.remove_barrier();
  workers.join_and_check();
  zk.close();
}

void rounds(const std::string& servers, const std::string& path) {
  std::cout << "double barrier: 3 members start a round together and finish it together\n";
  zkpp::examples::crew members{servers, 3, "member-",
                               [&](const std::string& name, zkpp::client& session) {
                                 zkpp::recipes::double_barrier round{session, path, 3};
                                 say(name + " arrives");
                                 if (!round.enter(patience)) return false;
                                 say(name + " entered: all 3 are here, working");
                                 say(name + " done, leaving");
                                 if (!round.leave(patience)) return false;
                                 say(name + " left: all 3 have finished");
                                 return true;
                               }};
  members.join_and_check();
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "barriers",
                                     [](const std::string& servers, const std::string& root) {
                                       gate(servers, root + "/gate");
                                       rounds(servers, root + "/round");
                                     });
}
