// Leader election with zkpp recipes, several participants in one program
// (one session each): a zkpp::recipes::leader_latch election whose leader
// closes and hands over, then zkpp::recipes::leader_selector participants
// that take turns running a leader callback, the last one interrupted by
// close(). Against a reference server started in this process, or a real
// ensemble.
//   zkpp-election-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <chrono>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/leader_latch.hpp"
#include "zkpp/recipes/leader_selector.hpp"

namespace {

using namespace std::chrono_literals;

std::mutex out_mutex;
void say(const std::string& line) {
  std::lock_guard lock{out_mutex};
  std::cout << "  " << line << std::endl;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) s += " " + id;
  return s;
}

std::vector<std::unique_ptr<zkpp::client>> connect(const std::string& servers, int n) {
  std::vector<std::unique_ptr<zkpp::client>> sessions;
  for (int i = 0; i < n; ++i) {
    sessions.push_back(
        std::make_unique<zkpp::client>(zkpp::client_options{.connect_string = servers}));
    sessions.back()->connect();
  }
  return sessions;
}

// Three latches; the leader closes and the next in line leads at once.
void latch_demo(const std::string& servers, const std::string& path) {
  std::cout << "leader_latch: 3 participants\n";
  auto sessions = connect(servers, 3);
  std::vector<std::unique_ptr<zkpp::recipes::leader_latch>> latches;
  for (const auto* id : {"alpha", "beta", "gamma"}) {
    latches.push_back(
        std::make_unique<zkpp::recipes::leader_latch>(*sessions[latches.size()], path, id));
    latches.back()->add_listener(
        {.is_leader = [id] { say(std::string{id} + " leads"); },
         .not_leader = [id] { say(std::string{id} + " no longer leads"); }});
    latches.back()->start();
    if (latches.size() == 1) latches.back()->await_leadership(10s);  // alpha joins alone
  }
  const auto view = latches.front()->participants();
  say("leader: " + view.leader + "; in line:" + joined(view.ids));
  latches.front()->close();
  for (auto& latch : latches)
    if (view.ids.size() > 1 && latch->id() == view.ids[1] && latch->await_leadership(10s))
      say("after " + view.leader + " closed, " + latch->id() + " leads");
  latches.clear();
  for (auto& s : sessions) s->close();
}

// Three selectors take one turn each in queue order (each callback returns
// and hands over); a fourth one leads until close() interrupts it.
void selector_demo(const std::string& servers, const std::string& path) {
  std::cout << "leader_selector: 3 participants taking turns, then one interrupted\n";
  auto sessions = connect(servers, 4);
  std::promise<void> all_turns;
  int turns = 0;
  std::mutex turns_mutex;
  std::vector<std::unique_ptr<zkpp::recipes::leader_selector>> selectors;
  for (const auto* id : {"one", "two", "three"}) {
    selectors.push_back(std::make_unique<zkpp::recipes::leader_selector>(
        *sessions[selectors.size()], path, id,
        [&, id = std::string{id}](zkpp::recipes::leadership& l) {
          say(id + " leads (valid: " + (l.valid() ? "yes" : "no") + "), does its work, hands over");
          std::lock_guard lock{turns_mutex};
          if (++turns == 3) all_turns.set_value();
        }));
    selectors.back()->start();
  }
  if (all_turns.get_future().wait_for(30s) != std::future_status::ready)
    throw std::runtime_error("the selectors' turns did not all come");

  std::promise<void> leading;
  zkpp::recipes::leader_selector keeper{*sessions[3], path, "keeper",
                                        [&](zkpp::recipes::leadership& l) {
                                          l.on_lost([] { say("keeper told its leadership ends"); });
                                          say("keeper leads until it loses leadership");
                                          leading.set_value();
                                          l.await_loss(60s);
                                          say("keeper's callback returns");
                                        }};
  keeper.start();
  if (leading.get_future().wait_for(30s) != std::future_status::ready)
    throw std::runtime_error("keeper never led");
  say("participants:" + joined(keeper.participants().ids));
  keeper.close();
  selectors.clear();
  for (auto& s : sessions) s->close();
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "election",
                                     [](const std::string& servers, const std::string& root) {
                                       latch_demo(servers, root + "/latch");
                                       selector_demo(servers, root + "/selector");
                                     });
}
