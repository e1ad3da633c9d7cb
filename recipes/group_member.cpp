#include "zkpp/recipes/group_member.hpp"

#include <mutex>

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/node_io.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

// Shared with the callbacks in flight; guarded by `m`, which is never held
// while calling the client or a handler.
class member_core : public std::enable_shared_from_this<member_core> {
 public:
  member_core(client& zk, std::string node, std::string payload)
      : zk_(zk), node_(std::move(node)), payload_(std::move(payload)) {}

  void start(completion<std::error_code> done) {
    life_.start(zk_, std::move(done), shared_from_this());
  }

  void update(std::string payload, std::function<void(std::error_code)> done) {
    std::unique_lock lock{m_};
    payload_ = payload;
    lock.unlock();
    conditional_write(zk_, node_, payload, -1, [done](std::error_code ec) {
      // Gone: it is created again with the new payload.
      done(ec == error::no_node ? std::error_code{} : ec);
    });
  }

  void close() {
    if (life_.close()) guaranteed_delete(zk_, node_);
  }

  std::string payload() const {
    std::lock_guard lock{m_};
    return payload_;
  }

 public:  // called back through the rewatch loop
  void look(watcher w, std::function<void(std::error_code)> looked) {
    zk_.async_exists(
        node_, w,
        [self = shared_from_this(), w, looked](std::error_code ec, std::optional<zkpp::stat> st) {
          if (ec) return self->failed(ec, looked);
          if (!st) return self->create(w, looked);
          // Another session's node of our id: wait for it to go.
          if (st->ephemeral_owner == self->zk_.session_id()) self->life_.ready();
          looked({});
        });
  }

 private:
  void create(watcher w, std::function<void(std::error_code)> looked) {
    if (life_.closed()) return looked({});
    const auto payload = this->payload();
    create_with_parents(zk_, node_, payload, create_mode::ephemeral,
                        [self = shared_from_this(), w, looked, payload](std::error_code ec) {
                          if (ec && ec != error::node_exists) return self->failed(ec, looked);
                          if (!ec) self->catch_up(payload);
                          // Look again: arms the watch on the node we made.
                          self->look(w, looked);
                        });
  }

  // An update may have come between reading the payload and the creation.
  void catch_up(const std::string& created_with) {
    const auto now = payload();
    if (now != created_with) conditional_write(zk_, node_, now, -1, [](std::error_code) {});
  }

  void failed(std::error_code ec, const std::function<void(std::error_code)>& looked) {
    if (!retryable(ec)) life_.failed(ec);
    looked(ec);
  }

  client& zk_;
  const std::string node_;
  mutable std::mutex m_;
  std::string payload_;
  rewatch_lifecycle life_;  // ready once our node was there
};

}  // namespace detail

group_member::group_member(client& zk, std::string group_path, std::string id, std::string payload)
    : zk_(zk),
      node_(std::move(group_path) + "/" + std::move(id)),
      core_(std::make_shared<detail::member_core>(zk, node_, std::move(payload))) {}

group_member::~group_member() {
  close();
}

void group_member::start() {
  detail::run_or_throw<>(zk_, "zkpp::recipes::group_member::start " + node_,
                         [this](auto done) { start(std::move(done)); });
}

void group_member::start(detail::completion<std::error_code> done) {
  core_->start(std::move(done));
}

void group_member::update(std::string payload) {
  detail::run_or_throw<>(zk_, "zkpp::recipes::group_member::update " + node_,
                         [&](auto done) { update(std::move(payload), std::move(done)); });
}

void group_member::update(std::string payload, detail::completion<std::error_code> done) {
  core_->update(std::move(payload), std::move(done));
}

void group_member::close() {
  core_->close();
}

std::string group_member::payload() const {
  return core_->payload();
}

}  // namespace zkpp::recipes
