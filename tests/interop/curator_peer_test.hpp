#pragma once

// A recipe_test with a Apache Curator 5.4 peer (CuratorPeer.java, compiled by
// the ctest fixture interop.curator_peer.compile) on the same backend,
// steered line by line.

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "../recipes/recipe_fixture.hpp"
#include "zkpp/test/line_process.hpp"
#include "zkpp/test/require.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {

class curator_peer_test : public recipe_test {
 protected:
  // The JVM and Curator's first connection take a few seconds on a busy machine.
  static constexpr std::chrono::seconds peer_start_deadline{60};

  void SetUp() override {
    recipe_test::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto argv = peer_command();
    if (argv.empty())
      ZKPP_TEST_SKIP_OR_FAIL_(std::string{"no Curator peer: "} + ZKPP_CURATOR_PEER_ARGS +
                              " missing (see the test interop.curator_peer.compile)");
    argv.push_back(servers());
    peer_.emplace(argv, logs_ / "curator-peer.log");
    peer_->fail_on("error ");
    peer_->expect_one_of({"ready"}, "the Curator peer connected", peer_start_deadline);
  }

  // The peer's session ends before the tree is removed, so that no Curator
  // node outlives the removal.
  void TearDown() override {
    if (peer_) {
      EXPECT_TRUE(peer_->close(default_deadline)) << "the Curator peer exiting";
    }
    peer_.reset();
    recipe_test::TearDown();
  }

  // Sends `command` and waits for the answer `expected`.
  void ask(const std::string& command, const std::string& expected) {
    peer_->send(command);
    expect(expected, "\"" + expected + "\" after " + command);
  }
  void expect(const std::string& line, const std::string& what,
              std::chrono::milliseconds deadline = default_deadline) {
    peer_->expect_one_of({line}, what, deadline);
  }
  std::string curator_answer(const std::string& command, const std::string& prefix) {
    peer_->send(command);
    return peer_->expect_prefix(prefix, "the answer to " + command, default_deadline);
  }

  scoped_temp_dir logs_{"zkpp-curator-interop"};
  std::optional<line_process> peer_;

 private:
  // The command that runs the peer, written by the compile fixture; empty
  // when the fixture did not produce it (no JDK or no Curator jars).
  static std::vector<std::string> peer_command() {
    std::vector<std::string> argv;
    std::ifstream in{ZKPP_CURATOR_PEER_ARGS};
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) argv.push_back(line);
    return argv;
  }
};

}  // namespace zkpp::test
