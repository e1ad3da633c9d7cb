#include "zkpp/recipes/atomic_long.hpp"

#include <memory>

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/node_io.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace {

// One update's tries.
struct optimistic : std::enable_shared_from_this<optimistic> {
  client& zk;
  std::string path;
  atomic_long::update u;
  std::function<void(std::error_code, atomic_long::value_type)> done;
  int tried = 0;

  optimistic(client& c, std::string p, atomic_long::update up,
             std::function<void(std::error_code, atomic_long::value_type)> d)
      : zk(c), path(std::move(p)), u(std::move(up)), done(std::move(d)) {}

  void run() {
    detail::read_node(
        zk, path, [self = shared_from_this()](std::error_code ec, std::optional<data_result> r) {
          if (ec) return self->done(ec, {});
          std::int64_t current = 0;
          if (r) {
            const auto v = detail::from_big_endian<std::int64_t>(r->data);
            if (!v) return self->done(error::data_inconsistency, {});
            current = *v;
          }
          self->write(current, r ? r->stat.version : detail::absent);
        });
  }

  void write(std::int64_t current, std::int32_t version) {
    const auto next = u.next(current);
    if (!next) return done({}, {false, current, current});
    if (*next == current) return done({}, {true, current, current});
    ++tried;
    detail::conditional_write(
        zk, path, detail::to_big_endian(*next), version,
        [self = shared_from_this(), current, next = *next](std::error_code ec) {
          if (!ec) return self->done({}, {true, current, next});
          if (ec != error::bad_version && ec != error::node_exists && ec != error::no_node)
            return self->done(ec, {});
          if (self->tried >= self->u.tries) return self->done({}, {false, current, current});
          detail::retry_later(self->zk, self->tried - 1, [self] { self->run(); });
        });
  }
};

}  // namespace

atomic_long::update atomic_long::update::read() {
  return {[](std::int64_t v) -> std::optional<std::int64_t> { return v; }, 1};
}

atomic_long::update atomic_long::update::add(std::int64_t delta, int tries) {
  return {[delta](std::int64_t v) -> std::optional<std::int64_t> {
            // Java's long arithmetic wraps around.
            return static_cast<std::int64_t>(static_cast<std::uint64_t>(v) +
                                             static_cast<std::uint64_t>(delta));
          },
          tries};
}

atomic_long::update atomic_long::update::compare_and_set(std::int64_t expected,
                                                         std::int64_t value) {
  return {[expected, value](std::int64_t v) -> std::optional<std::int64_t> {
            if (v != expected) return std::nullopt;
            return value;
          },
          1};
}

atomic_long::update atomic_long::update::assign(std::int64_t value) {
  return {[value](std::int64_t) -> std::optional<std::int64_t> { return value; }, 1};
}

atomic_long::atomic_long(client& zk, std::string path, atomic_long_options options)
    : zk_(zk), path_(std::move(path)), options_(options) {}

void atomic_long::run(update u, detail::completion<std::error_code, value_type> done) {
  std::make_shared<optimistic>(zk_, path_, std::move(u), std::move(done))->run();
}

atomic_long::value_type atomic_long::run_blocking(update u) {
  return std::get<0>(detail::run_or_throw<value_type>(
      zk_, "zkpp::recipes::atomic_long " + path_,
      [this, &u](auto done) { run(std::move(u), std::move(done)); }));
}

atomic_long::value_type atomic_long::get() {
  return run_blocking(update::read());
}

atomic_long::value_type atomic_long::increment() {
  return add(1);
}

atomic_long::value_type atomic_long::decrement() {
  return add(-1);
}

atomic_long::value_type atomic_long::add(std::int64_t delta) {
  return run_blocking(update::add(delta, options_.max_tries));
}

atomic_long::value_type atomic_long::subtract(std::int64_t delta) {
  return add(static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(delta)));
}

atomic_long::value_type atomic_long::compare_and_set(std::int64_t expected, std::int64_t value) {
  return run_blocking(update::compare_and_set(expected, value));
}

atomic_long::value_type atomic_long::try_set(std::int64_t value) {
  return run_blocking(update::assign(value));
}

void atomic_long::force_set(std::int64_t value) {
  detail::run_or_throw<>(zk_, "zkpp::recipes::atomic_long::force_set " + path_,
                         [this, value](auto done) { force_set(value, std::move(done)); });
}

void atomic_long::force_set(std::int64_t value, detail::completion<std::error_code> done) {
  auto& zk = zk_;
  const auto path = path_;
  detail::conditional_write(zk, path, detail::to_big_endian(value), -1,
                            [&zk, path, value, done](std::error_code ec) mutable {
                              if (ec != error::no_node) return done(ec);
                              detail::create_with_parents(
                                  zk, path, detail::to_big_endian(value), create_mode::persistent,
                                  [done](std::error_code ec) mutable { done(ec); });
                            });
}

}  // namespace zkpp::recipes
