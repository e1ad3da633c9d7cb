#include "zkpp/recipes/shared_count.hpp"

#include <mutex>
#include <vector>

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/node_io.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"

namespace zkpp::recipes {
namespace detail {

// Shared with the callbacks in flight; guarded by `m`, which is never held
// while calling the client or a listener.
class shared_count_core : public std::enable_shared_from_this<shared_count_core> {
 public:
  shared_count_core(client& zk, std::string path, std::int32_t seed)
      : zk_(zk), path_(std::move(path)), seed_(seed) {}

  void start() { life_.start(zk_, {}, shared_from_this()); }

  void close() {
    {
      std::lock_guard lock{m_};
      closed_ = true;
      listeners_.clear();
    }
    life_.close();
  }

  void add_listener(std::function<void(versioned_count)> l) {
    std::lock_guard lock{m_};
    listeners_.push_back(std::move(l));
  }

  void get(std::function<void(std::error_code, versioned_count)> done) {
    read_node(zk_, path_,
              [self = shared_from_this(), done](std::error_code ec,
                                                std::optional<data_result> r) mutable {
                if (ec) return done(ec, {});
                if (!r) return self->create_seed([self, done] { self->get(done); }, done);
                const auto value = from_big_endian<std::int32_t>(r->data);
                if (!value) return done(error::data_inconsistency, {});
                done({}, {*value, r->stat.version});
              });
  }

  void set(std::int32_t value, std::function<void(std::error_code)> done) {
    conditional_write(zk_, path_, to_big_endian(value), -1,
                      [self = shared_from_this(), value, done](std::error_code ec) {
                        if (ec != error::no_node) return done(ec);
                        conditional_write(self->zk_, self->path_, to_big_endian(value), absent,
                                          [self, value, done](std::error_code ec) {
                                            if (ec == error::node_exists)
                                              return self->set(value, done);
                                            done(ec);
                                          });
                      });
  }

  void try_set(versioned_count previous, std::int32_t value,
               std::function<void(std::error_code, bool)> done) {
    conditional_write(zk_, path_, to_big_endian(value), previous.version,
                      [done](std::error_code ec) {
                        if (ec == error::bad_version || ec == error::no_node)
                          return done({}, false);
                        done(ec, !ec);
                      });
  }

 private:
  // Creates the missing node with the seed (someone else doing it first is
  // as good), then `next()`; errors go to `failed`.
  template <class Next, class Failed>
  void create_seed(Next next, Failed failed) {
    conditional_write(zk_, path_, to_big_endian(seed_), absent,
                      [next, failed](std::error_code ec) mutable {
                        if (ec && ec != error::node_exists) return failed(ec, {});
                        next();
                      });
  }

 public:  // called back through the rewatch loop
  void look(watcher w, std::function<void(std::error_code)> done) {
    zk_.async_get_data(
        path_, w, [self = shared_from_this(), w, done](std::error_code ec, data_result r) {
          if (ec == error::no_node)
            return self->create_seed([self, w, done] { self->look(w, done); },
                                     [done](std::error_code ec, versioned_count) { done(ec); });
          if (ec) return done(ec);
          self->deliver(r);
          done({});
        });
  }

 private:
  void deliver(const data_result& r) {
    const auto value = from_big_endian<std::int32_t>(r.data);
    std::unique_lock lock{m_};
    // Reads may complete out of order (a watch and a reconnect both look).
    if (!value || closed_ || r.stat.mzxid <= last_mzxid_) return;
    last_mzxid_ = r.stat.mzxid;
    const auto listeners = listeners_;
    lock.unlock();
    for (const auto& l : listeners) l({*value, r.stat.version});
  }

  client& zk_;
  const std::string path_;
  const std::int32_t seed_;
  std::mutex m_;
  bool closed_ = false;
  std::int64_t last_mzxid_ = -1;
  rewatch_lifecycle life_;
  std::vector<std::function<void(versioned_count)>> listeners_;
};

}  // namespace detail

shared_count::shared_count(client& zk, std::string path, std::int32_t seed)
    : zk_(zk),
      path_(std::move(path)),
      core_(std::make_shared<detail::shared_count_core>(zk, path_, seed)) {}

shared_count::~shared_count() {
  close();
}

void shared_count::start() {
  core_->start();
}

void shared_count::close() {
  core_->close();
}

void shared_count::add_listener(std::function<void(versioned_count)> listener) {
  core_->add_listener(std::move(listener));
}

versioned_count shared_count::get() {
  return std::get<0>(
      detail::run_or_throw<versioned_count>(zk_, "zkpp::recipes::shared_count::get " + path_,
                                            [this](auto done) { get(std::move(done)); }));
}

void shared_count::set(std::int32_t value) {
  detail::run_or_throw<>(zk_, "zkpp::recipes::shared_count::set " + path_,
                         [this, value](auto done) { set(value, std::move(done)); });
}

bool shared_count::try_set(versioned_count previous, std::int32_t value) {
  return std::get<0>(
      detail::run_or_throw<bool>(zk_, "zkpp::recipes::shared_count::try_set " + path_,
                                 [&](auto done) { try_set(previous, value, std::move(done)); }));
}

void shared_count::get(detail::completion<std::error_code, versioned_count> done) {
  core_->get(std::move(done));
}

void shared_count::set(std::int32_t value, detail::completion<std::error_code> done) {
  core_->set(value, std::move(done));
}

void shared_count::try_set(versioned_count previous, std::int32_t value,
                           detail::completion<std::error_code, bool> done) {
  core_->try_set(previous, value, std::move(done));
}

}  // namespace zkpp::recipes
