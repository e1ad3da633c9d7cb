// The mutex under real faults: each contender reaches the server through a
// TCP fault proxy that drops, cuts and stalls its connection, and one
// contender's session is expired mid-run. The counter they increment under
// the lock must stay exact, fencing tokens must only grow, every fault must
// be reported to the client it hit, and no lock node may survive.

#include <charconv>
#include <mutex>
#include <thread>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/mutex.hpp"
#include "zkpp/test/fault_proxy.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::mutex;

// 6 s sessions: the read timeout (4 s) passes well before the server's expiry.
constexpr auto session_timeout = 6000ms;

struct counter_value {
  std::int64_t count = 0;
  std::int64_t token = 0;
};

// "count:fencing-token".
counter_value parse_counter(const std::string& data) {
  const auto colon = data.find(':');
  counter_value v;
  std::from_chars(data.data(), data.data() + colon, v.count);
  std::from_chars(data.data() + colon + 1, data.data() + data.size(), v.token);
  return v;
}

std::string format_counter(counter_value v) {
  return std::to_string(v.count) + ":" + std::to_string(v.token);
}

// A session behind a proxy of its own, recording its state changes.
struct contender {
  std::unique_ptr<fault_proxy> proxy;
  std::unique_ptr<client> zk;
  recorder<session_state> states;
};

class mutex_fault_test : public recipe_test {
 protected:
  void SetUp() override {
    recipe_test::SetUp();
    if (!admin_) return;
    const auto all = servers();
    contenders_.reserve(contenders);
    for (int i = 0; i < contenders; ++i) {
      auto& c = contenders_.emplace_back();
      c.proxy = std::make_unique<fault_proxy>(all.substr(0, all.find(',')));
      c.zk = std::make_unique<client>(client_options{.connect_string = c.proxy->connect_string(),
                                                     .session_timeout = session_timeout,
                                                     .on_expiry = expiry_policy::new_session});
      c.zk->on_state(c.states.pusher());
      c.zk->connect();
      c.states.skip_until(session_state::connected, "contender connected");
    }
  }

  void TearDown() override {
    contenders_.clear();
    recipe_test::TearDown();
  }

  void fail(std::string what) {
    std::lock_guard lock{failures_mutex_};
    failures_.push_back(std::move(what));
  }

  // One contender's loop: lock, read the counter, write count+1 with our
  // token and record the increment as node incs/<token>, both in one guarded
  // multi, unlock. Returns how many of its increments landed.
  std::int64_t run(contender& c, const std::atomic<bool>& stop) {
    const auto counter = path("counter");
    std::int64_t landed = 0;
    mutex lock{*c.zk, path("lock")};
    const auto until = std::chrono::steady_clock::now() + 120s;
    for (int round = 0; round < 1000 && !stop && std::chrono::steady_clock::now() < until;
         ++round) {
      try {
        if (!lock.try_lock_for(default_deadline)) {
          fail("lock not acquired within the deadline");
          continue;
        }
      } catch (const std::system_error&) {
        continue;  // the acquisition met a fault: try again
      }
      std::error_code ec;
      const auto [data, stat] = c.zk->get_data(counter, {}, ec);
      const auto token = lock.fencing_token();
      if (!ec) {
        const auto seen = parse_counter(data);
        if (lock.is_held() && token <= seen.token)
          fail("fencing token " + std::to_string(token) + " after " + std::to_string(seen.token));
        const auto record = path("incs/" + std::to_string(token));
        auto result = lock.async_guarded_multi(
            {op::set_data{counter, format_counter({seen.count + 1, token}), stat.version},
             op::create{record, ""}},
            asio::use_future);
        try {
          await(std::move(result), "guarded write");
          ++landed;
        } catch (const std::system_error& e) {
          if (e.code() == error::bad_version) fail("the counter changed under the lock");
          if (e.code() != error::no_node && landed_after_all(c, record)) ++landed;
        }
      }
      lock.unlock();
    }
    return landed;
  }

  // A write whose reply was lost may still have landed: its record tells.
  bool landed_after_all(contender& c, const std::string& record) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::error_code ec;
      const auto found = c.zk->exists(record, {}, ec);
      if (!ec) return found.has_value();
      c.states.skip_until(session_state::connected, "reconnect to look for a write", 30s);
    }
    fail("could not look for " + record);
    return false;
  }

  // Waits until the counter reaches `n` (data watches, with a deadline).
  void await_count(std::int64_t n) {
    auto events = std::make_shared<event_recorder>();
    while (parse_counter(admin_->get_data(path("counter"), record_into(*events)).data).count < n)
      events->next("the counter to reach " + std::to_string(n));
  }

  static constexpr int contenders = 8;
  std::vector<contender> contenders_;
  std::mutex failures_mutex_;
  std::vector<std::string> failures_;
};

TEST_F(mutex_fault_test, CounterStaysExactThroughDropsCutsStallsAndAnExpiry) {
  admin_->create(path("counter"), format_counter({}));
  admin_->create(path("incs"), "");
  std::atomic<bool> stop{false};
  std::vector<std::int64_t> landed(contenders, 0);
  std::vector<std::thread> workers;
  for (int i = 0; i < contenders; ++i)
    workers.emplace_back([&, i] { landed[i] = run(contenders_[i], stop); });

  try {
    await_count(10);
    // A dropped connection: suspended, then the same session again.
    contenders_[1].proxy->drop();
    contenders_[1].states.skip_until(session_state::suspended, "suspended after a drop");
    contenders_[1].states.skip_until(session_state::reconnected, "reconnected after a drop");

    // A reply cut in the middle of its frame.
    contenders_[2].proxy->cut_next_reply_mid_frame();
    contenders_[2].states.skip_until(session_state::suspended, "suspended after a cut frame");
    contenders_[2].states.skip_until(session_state::reconnected, "reconnected after a cut frame");

    // A silent server: the read timeout suspends the session.
    contenders_[3].proxy->stall();
    contenders_[3].states.skip_until(session_state::suspended, "suspended by a silent server");
    contenders_[3].proxy->pass();

    // Silent past the session timeout: the session expires (the client reports
    // lost), then the contender carries on in a new session.
    contenders_[4].proxy->stall();
    contenders_[4].states.skip_until(session_state::suspended, "suspended before expiry");
    contenders_[4].states.skip_until(session_state::lost, "lost after a session timeout", 30s);
    contenders_[4].proxy->pass();
    contenders_[4].states.skip_until(session_state::connected, "a new session after expiry", 30s);

    // Everyone makes progress after the faults.
    const auto now = parse_counter(admin_->get_data(path("counter")).data).count;
    await_count(now + 2 * contenders);
  } catch (...) {
    stop = true;
    for (auto& w : workers) w.join();
    throw;
  }
  stop = true;
  for (auto& w : workers) w.join();

  for (const auto& f : failures_) ADD_FAILURE() << f;
  std::int64_t total = 0;
  for (const auto n : landed) total += n;
  const auto count = parse_counter(admin_->get_data(path("counter")).data).count;
  EXPECT_EQ(count, total) << "every acknowledged increment, and only those";
  EXPECT_EQ(static_cast<std::int64_t>(admin_->get_children(path("incs")).size()), count);
  await_children(path("lock"), 0, "every lock node deleted");
}

TEST_F(mutex_fault_test, HolderIsToldWhenADropOrAnExpiryEndsItsOwnership) {
  auto& c = contenders_[0];
  recorder<session_state> revoked;
  mutex lock{*c.zk, path("lock")};
  lock.on_revoked(revoked.pusher());

  lock.lock();
  c.proxy->drop();
  EXPECT_EQ(revoked.next("revoked on a dropped connection"), session_state::suspended);
  EXPECT_FALSE(lock.is_held());
  c.states.skip_until(session_state::reconnected, "reconnected after the drop");
  await_children(path("lock"), 0, "the revoked node deleted after the reconnect");

  ASSERT_TRUE(lock.try_lock_for(default_deadline));
  const auto first_token = lock.fencing_token();
  c.proxy->stall();
  EXPECT_EQ(revoked.next("revoked when the server went silent"), session_state::suspended);
  c.states.skip_until(session_state::lost, "lost after a session timeout", 30s);
  c.proxy->pass();
  c.states.skip_until(session_state::connected, "a new session after expiry", 30s);
  await_children(path("lock"), 0, "the expired session's node gone");

  ASSERT_TRUE(lock.try_lock_for(default_deadline));
  EXPECT_GT(lock.fencing_token(), first_token);
  lock.unlock();
}

}  // namespace
}  // namespace zkpp::test
