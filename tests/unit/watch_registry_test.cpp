// The watch registry's bookkeeping: which watchers an event fires and how
// many remain registered (the count the metrics report after every reply).

#include <gtest/gtest.h>

#include "watch_registry.hpp"

namespace zkpp::detail {
namespace {

const watcher noop = [](const watch_event&) {};

TEST(watch_registry, counts_what_is_added_fired_removed_and_taken) {
  watch_registry r;
  r.add(watch_kind::data, "/a", noop);
  r.add(watch_kind::data, "/a", noop);
  r.add(watch_kind::exist, "/b", noop);
  r.add(watch_kind::child, "/a", noop);
  r.add(watch_kind::persistent, "/a", noop);
  r.add(watch_kind::persistent_recursive, "/", noop);
  r.add(watch_kind::none, "/c", noop);  // no watch: not counted
  EXPECT_EQ(r.size(), 6u);

  // Data watches on /a fire once; the persistent and recursive ones stay.
  EXPECT_EQ(r.take(event_type::node_data_changed, "/a").size(), 4u);
  EXPECT_EQ(r.size(), 4u);
  EXPECT_EQ(r.take(event_type::node_data_changed, "/a").size(), 2u);
  EXPECT_EQ(r.size(), 4u);

  // A deletion fires the child watch; removeWatches drops the exist watch.
  EXPECT_EQ(r.take(event_type::node_deleted, "/a").size(), 3u);
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.remove("/b", watcher_type::data).size(), 1u);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_FALSE(r.empty());

  EXPECT_EQ(r.take_all().size(), 2u);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_TRUE(r.empty());
}

TEST(watch_registry, a_hundred_thousand_watches_are_counted_one_by_one) {
  watch_registry r;
  for (int i = 0; i < 100000; ++i) r.add(watch_kind::exist, "/w" + std::to_string(i), noop);
  EXPECT_EQ(r.size(), 100000u);
  for (int i = 0; i < 100000; i += 2) r.take(event_type::node_created, "/w" + std::to_string(i));
  EXPECT_EQ(r.size(), 50000u);
}

}  // namespace
}  // namespace zkpp::detail
