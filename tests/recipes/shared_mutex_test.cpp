#include "zkpp/recipes/shared_mutex.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>

#include <future>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <thread>

#include "recipe_fixture.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::shared_mutex;

const std::string uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

using shared_mutex_test = contender_test;

TEST_F(shared_mutex_test, ReadersHoldTogether) {
  constexpr int readers = 4;
  std::vector<std::unique_ptr<client>> sessions;
  for (int i = 0; i < readers; ++i) sessions.push_back(connect_client());
  recorder<int> holding;
  std::promise<void> release;
  const auto released = release.get_future().share();
  std::vector<std::thread> threads;
  for (int i = 0; i < readers; ++i) {
    // Each thread its own copy of the shared_future (one copy is not thread-safe).
    threads.emplace_back([&, i, released] {
      shared_mutex lock{*sessions[i], path("rw")};
      if (!lock.try_lock_shared_for(default_deadline)) return holding.push(-1);
      std::shared_lock guard{lock, std::adopt_lock};
      holding.push(i);
      // Keep holding until every reader has said so.
      released.wait_for(default_deadline);
    });
  }
  std::vector<int> held;
  try {
    for (int i = 0; i < readers; ++i) held.push_back(holding.next("a reader holding"));
    EXPECT_EQ(admin_->get_children(path("rw")).size(), std::size_t{readers});
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  // Every reader holds at once: none has released yet.
  EXPECT_EQ(held.size(), std::size_t{readers});
  EXPECT_EQ(std::count(held.begin(), held.end(), -1), 0);
  release.set_value();
  for (auto& t : threads) t.join();
  await_children(path("rw"), 0, "every read node deleted on release");
}

TEST_F(shared_mutex_test, WritersExcludeReadersAndWriters) {
  constexpr int writers = 3;
  constexpr int readers = 3;
  constexpr int rounds = 8;
  // Writers set x then y; a reader between the two would see them differ.
  admin_->create(path("x"), "0");
  admin_->create(path("y"), "0");
  failure_log fail;
  std::vector<std::unique_ptr<client>> sessions;
  for (int i = 0; i < writers + readers; ++i) sessions.push_back(connect_client());
  std::vector<std::thread> threads;
  for (int i = 0; i < writers + readers; ++i) {
    threads.emplace_back([&, i] {
      auto& zk = *sessions[i];
      try {
        shared_mutex lock{zk, path("rw")};
        std::int64_t last_token = 0;
        for (int r = 0; r < rounds; ++r) {
          if (i < writers) {
            if (!lock.try_lock_for(default_deadline)) return fail("write lock timed out");
            std::unique_lock guard{lock, std::adopt_lock};
            if (lock.fencing_token() <= last_token) fail("fencing token did not grow");
            last_token = lock.fencing_token();
            const auto next = std::to_string(std::stoi(zk.get_data(path("x")).data) + 1);
            zk.set_data(path("x"), next);
            zk.set_data(path("y"), next);
          } else {
            if (!lock.try_lock_shared_for(default_deadline)) return fail("read lock timed out");
            std::shared_lock guard{lock, std::adopt_lock};
            const auto x = zk.get_data(path("x")).data;
            const auto y = zk.get_data(path("y")).data;
            if (x != y) fail("reader saw x=" + x + " y=" + y);
          }
        }
      } catch (const std::exception& e) {
        fail(e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fail.first(), "");
  EXPECT_EQ(admin_->get_data(path("x")).data, std::to_string(writers * rounds));
  EXPECT_EQ(admin_->get_data(path("y")).data, std::to_string(writers * rounds));
  await_children(path("rw"), 0, "every lock node deleted on release");
}

TEST_F(shared_mutex_test, WaitingWriterKeepsLaterReadersOut) {
  auto third = connect_client();
  shared_mutex first_reader{*admin_, path("rw")};
  shared_mutex writer{*other_, path("rw")};
  shared_mutex later_reader{*third, path("rw")};
  first_reader.lock_shared();
  auto written = writer.async_lock(asio::use_future);
  await_children(path("rw"), 2, "the writer queued behind the reader");
  EXPECT_FALSE(later_reader.try_lock_shared());
  EXPECT_FALSE(later_reader.try_lock_shared_for(200ms));
  auto read = later_reader.async_lock_shared(asio::use_future);
  await_children(path("rw"), 3, "the later reader queued behind the writer");
  first_reader.unlock_shared();
  await(std::move(written), "the write lock once the first reader left");
  EXPECT_TRUE(writer.is_held());
  // The writer's node stays before the later reader's: it cannot hold yet.
  EXPECT_FALSE(later_reader.is_held_shared());
  writer.unlock();
  await(std::move(read), "the read lock once the writer left");
  EXPECT_TRUE(later_reader.is_held_shared());
  later_reader.unlock_shared();
}

TEST_F(shared_mutex_test, NodesFollowCuratorNamingAndTokenIsTheWriteNodesCzxid) {
  shared_mutex lock{*admin_, path("a/rw")};  // missing parents become containers
  lock.lock();
  const auto write_node = lock.lock_node();
  EXPECT_TRUE(
      std::regex_match(write_node, std::regex{path("a/rw") + "/_c_" + uuid + "-__WRIT__[0-9]{10}"}))
      << write_node;
  EXPECT_EQ(lock.fencing_token(), admin_->exists(write_node)->czxid);
  lock.unlock();
  EXPECT_EQ(lock.fencing_token(), 0);
  lock.lock_shared();
  const auto read_node = lock.lock_node_shared();
  EXPECT_TRUE(
      std::regex_match(read_node, std::regex{path("a/rw") + "/_c_" + uuid + "-__READ__[0-9]{10}"}))
      << read_node;
  EXPECT_EQ(admin_->exists(read_node)->ephemeral_owner, admin_->session_id());
  EXPECT_EQ(admin_->exists(path("a/rw"))->ephemeral_owner, 0);
  lock.unlock_shared();
  EXPECT_TRUE(lock.lock_node_shared().empty());
}

TEST_F(shared_mutex_test, ReadersWaitForAForeignCuratorWriter) {
  const auto foreign =
      foreign_contender(path("rw"), "_c_0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9-__WRIT__");
  shared_mutex lock{*admin_, path("rw")};
  EXPECT_FALSE(lock.try_lock_shared());
  await_after_foreign(path("rw"), foreign, lock.async_lock_shared(asio::use_future));
  EXPECT_TRUE(lock.is_held_shared());
  lock.unlock_shared();
}

TEST_F(shared_mutex_test, WriterMayAlsoReadAndDowngrade) {
  shared_mutex lock{*admin_, path("rw")};
  shared_mutex other{*other_, path("rw")};
  lock.lock();
  lock.lock();  // reentrant per side
  lock.lock_shared();
  EXPECT_TRUE(lock.is_held());
  EXPECT_TRUE(lock.is_held_shared());
  EXPECT_EQ(admin_->get_children(path("rw")).size(), 2u);
  EXPECT_FALSE(other.try_lock_shared());
  lock.unlock();
  EXPECT_TRUE(lock.is_held());
  lock.unlock();
  EXPECT_FALSE(lock.is_held());
  EXPECT_TRUE(lock.is_held_shared());  // downgraded
  EXPECT_FALSE(other.try_lock());
  EXPECT_TRUE(other.try_lock_shared_for(default_deadline));
  other.unlock_shared();
  lock.unlock_shared();
  EXPECT_TRUE(other.try_lock_for(default_deadline));
  other.unlock();
}

TEST_F(shared_mutex_test, WritingWhileOnlyReadingFailsAtOnce) {
  shared_mutex lock{*admin_, path("rw")};
  lock.lock_shared();
  std::error_code ec;
  try {
    lock.lock();
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  EXPECT_EQ(ec, std::errc::resource_deadlock_would_occur);
  EXPECT_FALSE(lock.is_held());
  EXPECT_EQ(admin_->get_children(path("rw")).size(), 1u);
  lock.unlock_shared();
}

TEST_F(shared_mutex_test, TimeoutsAndCancellationLeaveNoNodes) {
  auto third = connect_client();
  shared_mutex writer{*admin_, path("rw")};
  shared_mutex reader{*other_, path("rw")};
  shared_mutex second_writer{*third, path("rw")};
  writer.lock();
  EXPECT_FALSE(reader.try_lock_shared_for(300ms));
  await_children(path("rw"), 1, "the timed-out reader's node withdrawn");
  EXPECT_FALSE(second_writer.try_lock_for(300ms));
  await_children(path("rw"), 1, "the timed-out writer's node withdrawn");

  recorder<std::error_code> results;
  asio::cancellation_signal cancel_read;
  reader.async_lock_shared(asio::bind_cancellation_slot(cancel_read.slot(), results.pusher()));
  asio::cancellation_signal cancel_write;
  second_writer.async_lock(asio::bind_cancellation_slot(cancel_write.slot(), results.pusher()));
  await_children(path("rw"), 3, "a reader and a writer queued");
  cancel_read.emit(asio::cancellation_type::terminal);
  EXPECT_EQ(results.next("the cancelled read lock"), asio::error::operation_aborted);
  cancel_write.emit(asio::cancellation_type::terminal);
  EXPECT_EQ(results.next("the cancelled write lock"), asio::error::operation_aborted);
  await_children(path("rw"), 1, "the cancelled nodes withdrawn");
  EXPECT_FALSE(reader.is_held_shared());
  EXPECT_FALSE(second_writer.is_held());
  writer.unlock();
  await_children(path("rw"), 0, "the writer's node deleted");
}

}  // namespace
}  // namespace zkpp::test
