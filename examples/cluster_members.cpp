// Group membership with zkpp recipes: servers join /clusterServers (one
// session each, an ephemeral node holding their address) with
// zkpp::recipes::group_member, and a monitor follows the cluster with
// zkpp::recipes::group_view, told of every join, address change and leave.
// Against a reference server started in this process, or a real ensemble.
//   zkpp-members-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/group_member.hpp"
#include "zkpp/recipes/group_view.hpp"

namespace {

// What the monitor has been told so far; main waits on it.
class monitor_log {
 public:
  void told(const std::string& line) {
    std::lock_guard lock{m_};
    std::cout << "  monitor: " << line << std::endl;
    ++changes_;
    cv_.notify_all();
  }
  void await_changes(int n) {
    std::unique_lock lock{m_};
    if (!cv_.wait_for(lock, std::chrono::seconds{20}, [&] { return changes_ >= n; }))
      throw std::runtime_error("the monitor was not told in time");
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int changes_ = 0;
};

struct cluster_server {
  std::unique_ptr<zkpp::client> session;
  std::unique_ptr<zkpp::recipes::group_member> member;
};

cluster_server join(const std::string& servers, const std::string& group, const std::string& id,
                    const std::string& address) {
  cluster_server s;
  s.session = std::make_unique<zkpp::client>(zkpp::client_options{
      .connect_string = servers, .on_expiry = zkpp::expiry_policy::new_session});
  s.session->connect();
  s.member = std::make_unique<zkpp::recipes::group_member>(*s.session, group, id, address);
  s.member->start();
  std::cout << id << " joined as " << address << "\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(
      argc, argv, "members", [](const std::string& servers, const std::string& root) {
        const std::string group = root + "/clusterServers";
        zkpp::client monitor_zk{{.connect_string = servers}};
        monitor_zk.connect();
        monitor_log log;
        zkpp::recipes::group_view view{monitor_zk, group};
        view.add_listener({
            .joined = [&](const auto& m) { log.told(m.id + " joined at " + m.payload); },
            .left = [&](const auto& m) { log.told(m.id + " left"); },
            .updated = [&](const auto& m) { log.told(m.id + " moved to " + m.payload); },
        });
        view.start();

        std::vector<cluster_server> cluster;
        cluster.push_back(join(servers, group, "server-1", "10.0.0.1:8080"));
        cluster.push_back(join(servers, group, "server-2", "10.0.0.2:8080"));
        cluster.push_back(join(servers, group, "server-3", "10.0.0.3:8080"));
        log.await_changes(3);

        cluster[1].member->update("10.0.0.22:8080");
        log.await_changes(4);
        cluster[0].member->close();  // a clean leave: the node goes at once
        log.await_changes(5);
        cluster[2].session->close();  // the session ends: its ephemeral node goes with it
        log.await_changes(6);

        std::cout << "live view:";
        for (const auto& [id, m] : view.members()) std::cout << " " << id << "=" << m.payload;
        std::cout << "\n";
        view.close();
        cluster.clear();
        monitor_zk.close();
      });
}
