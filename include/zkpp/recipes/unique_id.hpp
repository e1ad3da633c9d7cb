#pragma once

// A naming service: ids unique across every client of an ensemble, from the
// sequence numbers ZooKeeper gives sequential nodes.

#include <asio/async_result.hpp>

#include <cstdint>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes {

// next() creates a persistent-sequential child `_c_<uuid>-id-<seq>` of the
// path (missing ancestors become containers), takes its sequence number and
// deletes the node again before it completes, so closing the client right
// after next() leaves nothing behind. The sequence counter of a parent only grows, so
// ids are distinct and increasing per path (not contiguous: deletions count
// too); it is a signed 32-bit number on the server, so a path gives out
// about 2^31 ids. The uuid prefix ("protected" creation) finds our node again
// when a reply is lost, so connection loss never yields two ids for one call
// nor leaves a node behind.
//
// The client must outlive the generator. Blocking calls must not be made
// from the client's own callbacks.
class unique_id_generator {
 public:
  unique_id_generator(client& zk, std::string path);

  std::int64_t next();
  // Completes with void(std::error_code, std::int64_t).
  template <class Token>
  auto async_next(Token&& token) {
    return detail::async_run<std::int64_t>(zk_.get_executor(), std::forward<Token>(token),
                                           [this](auto done) { next(std::move(done)); });
  }

  const std::string& path() const noexcept { return path_; }

 private:
  void next(detail::completion<std::error_code, std::int64_t> done);

  client& zk_;
  std::string path_;
};

}  // namespace zkpp::recipes
