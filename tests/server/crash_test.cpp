// kill -9 of zkpp-server (--data-dir) under a pipelined write load from a
// zkpp::client. After a restart on the same directory and port, every write
// the client saw acknowledged is there with at least its acknowledged
// version, and every node holds exactly the value of the write that gave it
// its version: nothing half-written, nothing out of order.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <sys/wait.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "../integration/waiting.hpp"
#include "zkpp/client.hpp"
#include "zkpp/test/line_process.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

constexpr int key_count = 16;
constexpr int window = 64;            // writes in flight at once
constexpr int max_writes = 4000;      // the load never issues more
constexpr int kill_after_acks = 400;  // the crash comes once this many were acknowledged
constexpr auto load_deadline = 60s;

std::string key(int k) {
  return "/crash/k" + std::to_string(k);
}

// The n-th value written to key k: long, and different in every byte
// pattern, so that a torn write could not pass for another value.
std::string value(int k, int n) {
  auto v = "k" + std::to_string(k) + "-v" + std::to_string(n) + "-";
  v.append(400, static_cast<char>('a' + (k * 7 + n) % 26));
  return v;
}

// What the load sent and what the server acknowledged; shared with the
// client's callbacks.
struct load_record {
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  int acknowledged = 0;
  bool crashed = false;
  std::vector<std::string> unexpected_errors;
  std::map<int, std::vector<std::string>> sent;  // key -> value of each version, in order
  std::map<int, std::int32_t> acknowledged_version;

  void completed(int k, std::error_code ec, std::int32_t version) {
    std::lock_guard lock{mutex};
    --in_flight;
    if (!ec) {
      ++acknowledged;
      auto& v = acknowledged_version.try_emplace(k, version).first->second;
      v = std::max(v, version);
    } else if (!crashed || ec != error::connection_loss) {
      unexpected_errors.push_back(key(k) + ": " + ec.message());
    }
    changed.notify_all();
  }
};

class crash_test : public ::testing::TestWithParam<std::string> {
 protected:
  // Starts zkpp-server on the data directory; returns its connect string.
  std::string start_server(const std::string& port, const std::string& log) {
    server_ = std::make_unique<line_process>(
        std::vector<std::string>{ZKPP_SERVER_BINARY, "--port", port, "--data-dir",
                                 (work_ / "data").string(), "--fsync", GetParam(),
                                 "--snapshot-every", "200"},
        work_ / log);
    return server_->expect_prefix("zkpp-server listening on ", "zkpp-server's address",
                                  default_deadline);
  }

  scoped_temp_dir work_{"zkpp-crash"};
  std::unique_ptr<line_process> server_;
};

TEST_P(crash_test, EveryAcknowledgedWriteSurvivesAKill9AndNothingIsHalfWritten) {
  const auto address = start_server("0", "server-1.log");
  const auto port = address.substr(address.rfind(':') + 1);
  client zk{{.connect_string = address, .session_timeout = 20s}};
  recorder<session_state> states;
  zk.on_state(states.pusher());
  zk.connect();
  zk.create("/crash", "");

  auto record = std::make_shared<load_record>();
  const auto until = std::chrono::steady_clock::now() + load_deadline;
  for (int issued = 0; issued < max_writes; ++issued) {
    std::unique_lock lock{record->mutex};
    ASSERT_TRUE(record->changed.wait_until(lock, until, [&] { return record->in_flight < window; }))
        << "timed out waiting for room in the write window (" << record->acknowledged
        << " acknowledged)";
    // The crash comes once enough writes were acknowledged, with more in flight.
    if (record->acknowledged >= kill_after_acks && record->in_flight > 0) {
      record->crashed = true;
      break;
    }
    const int k = issued % key_count;
    auto& sent = record->sent[k];
    const int n = static_cast<int>(sent.size());
    sent.push_back(value(k, n));
    ++record->in_flight;
    lock.unlock();
    if (n == 0) {
      zk.async_create(
          key(k), value(k, n), create_options{},
          [record, k](std::error_code ec, std::string) { record->completed(k, ec, 0); });
    } else {
      zk.async_set_data(key(k), value(k, n), -1, [record, k](std::error_code ec, stat s) {
        record->completed(k, ec, s.version);
      });
    }
  }
  {
    std::lock_guard lock{record->mutex};
    ASSERT_TRUE(record->crashed) << "never had " << kill_after_acks
                                 << " writes acknowledged and more in flight within " << max_writes
                                 << " writes";
  }
  const int status = server_->kill();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
  states.skip_until(session_state::suspended, "suspended by the crash");
  {
    std::unique_lock lock{record->mutex};
    ASSERT_TRUE(record->changed.wait_for(lock, default_deadline, [&] {
      return record->in_flight == 0;
    })) << "timed out waiting for the writes in flight to fail with connection loss";
    EXPECT_EQ(record->unexpected_errors, std::vector<std::string>{});
  }

  start_server(port, "server-2.log");
  states.skip_until(session_state::reconnected, "the session resumed on the restarted server");
  std::lock_guard lock{record->mutex};
  for (const auto& [k, values] : record->sent) {
    std::error_code ec;
    const auto d = zk.get_data(key(k), {}, ec);
    const auto acked = record->acknowledged_version.find(k);
    if (ec == error::no_node) {
      EXPECT_TRUE(acked == record->acknowledged_version.end())
          << key(k) << " was acknowledged but is gone";
      continue;
    }
    ASSERT_FALSE(ec) << key(k) << ": " << ec.message();
    if (acked != record->acknowledged_version.end()) {
      EXPECT_GE(d.stat.version, acked->second) << key(k) << " lost an acknowledged write";
    }
    ASSERT_LT(d.stat.version, static_cast<std::int32_t>(values.size()))
        << key(k) << " has a version no write gave it";
    EXPECT_EQ(d.data, values[static_cast<std::size_t>(d.stat.version)])
        << key(k) << " at version " << d.stat.version << " holds another value than its write";
  }
  zk.close();
  const int stopped = server_->stop();
  EXPECT_TRUE(WIFEXITED(stopped) && WEXITSTATUS(stopped) == 0) << "wait status " << stopped << "\n"
                                                               << file_tail(work_ / "server-2.log");
}

INSTANTIATE_TEST_SUITE_P(fsync_policies, crash_test, ::testing::Values("every", "batched"));

}  // namespace
}  // namespace zkpp::test
