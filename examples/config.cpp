// Configuration pub/sub with zkpp recipes: a service follows its settings
// with zkpp::recipes::config<T> (typed, versioned snapshots, reloaded the
// moment a new version is published, a bad version rejected), watches a
// feature flag with zkpp::recipes::node_cache and a whole directory of
// endpoints with zkpp::recipes::tree_cache. Against a reference server
// started in this process, or a real ensemble.
//   zkpp-config-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "narration.hpp"
#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/config.hpp"
#include "zkpp/recipes/node_cache.hpp"
#include "zkpp/recipes/tree_cache.hpp"

namespace {

using zkpp::examples::say;
using zkpp::examples::told_log;

struct limits {
  int max_connections = 0;
};

// "max_connections=N"; throws on anything else.
limits parse_limits(std::string_view text) {
  constexpr std::string_view key = "max_connections=";
  if (!text.starts_with(key))
    throw std::invalid_argument("no max_connections in \"" + std::string{text} + "\"");
  return {std::stoi(std::string{text.substr(key.size())})};
}

void typed_config(zkpp::client& publisher, zkpp::client& service, const std::string& path) {
  std::cout << "config<limits>: the service reloads each version published\n";
  publisher.create(path, "max_connections=100");
  zkpp::recipes::config<limits> settings{service, path, parse_limits};
  told_log reloads{"service"};
  settings.on_change([&](auto s) {
    reloads.told("reloaded max_connections=" + std::to_string(s->value.max_connections) +
                 " (version " + std::to_string(s->version) + ")");
  });
  settings.on_error([&](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& bad) {
      reloads.told(std::string{"rejected a bad version, keeps the last good one: "} + bad.what());
    }
  });
  settings.start();
  reloads.await(1);
  say("operator publishes max_connections=250");
  publisher.set_data(path, "max_connections=250");
  reloads.await(2);
  say("operator publishes a typo");
  publisher.set_data(path, "max_conections=300");
  reloads.await(3);
  say("current snapshot: max_connections=" +
      std::to_string(settings.snapshot()->value.max_connections));
  settings.close();
}

void feature_flag(zkpp::client& publisher, zkpp::client& service, const std::string& path) {
  std::cout << "node_cache: one node, every change told, deletion too\n";
  zkpp::recipes::node_cache flag{service, path};
  told_log seen{"flag"};
  flag.add_listener([&](const std::optional<zkpp::data_result>& n) {
    seen.told(n ? "\"" + n->data + "\"" : "deleted");
  });
  flag.start();
  publisher.create(path, "dark-mode=off");
  seen.await(1);
  publisher.set_data(path, "dark-mode=on");
  seen.await(2);
  publisher.remove(path);
  seen.await(3);
  flag.close();
}

void endpoints(zkpp::client& publisher, zkpp::client& service, const std::string& dir) {
  std::cout << "tree_cache: a directory of endpoints kept in memory\n";
  publisher.create(dir, "");
  publisher.create(dir + "/billing", "10.0.0.5:7000");
  zkpp::recipes::tree_cache tree{service, dir};
  told_log seen{"endpoints"};
  const auto name = [&](const std::string& p) {
    return p == dir ? std::string{"(the directory)"} : p.substr(dir.size() + 1);
  };
  tree.add_listener({
      .created = [&](const std::string& p,
                     const zkpp::data_result& n) { seen.told("+ " + name(p) + " " + n.data); },
      .changed = [&](const std::string& p,
                     const zkpp::data_result& n) { seen.told("~ " + name(p) + " " + n.data); },
      .deleted = [&](const std::string& p, const zkpp::data_result&) { seen.told("- " + name(p)); },
  });
  tree.start();  // tells the directory and billing as created
  seen.await(2);
  publisher.create(dir + "/search", "10.0.0.6:7000");
  publisher.set_data(dir + "/billing", "10.0.0.7:7000");
  // Waited for before the delete: a node created and deleted in one burst
  // may reach the cache as its net effect, i.e. not at all.
  seen.await(4);
  publisher.remove(dir + "/search");
  seen.await(5);
  say("in memory: " + std::to_string(tree.nodes().size()) + " nodes, billing at " +
      tree.get(dir + "/billing")->data);
  tree.close();
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "config",
                                     [](const std::string& servers, const std::string& root) {
                                       zkpp::client publisher{{.connect_string = servers}};
                                       publisher.connect();
                                       zkpp::client service{{.connect_string = servers}};
                                       service.connect();
                                       publisher.create(root, "");
                                       typed_config(publisher, service, root + "/limits");
                                       feature_flag(publisher, service, root + "/dark-mode");
                                       endpoints(publisher, service, root + "/endpoints");
                                       service.close();
                                       publisher.close();
                                     });
}
