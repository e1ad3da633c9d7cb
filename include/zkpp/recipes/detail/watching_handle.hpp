#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/async_run.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

// The public face shared by the recipes that follow znodes through watches
// (node_cache, tree_cache, group_view): start, close and listeners,
// forwarded to a core that the callbacks in flight share. Core is defined
// in the recipe's .cpp, which instantiates this class explicitly.
template <class Core, class Listener>
class watching_handle {
 public:
  ~watching_handle();  // close()
  watching_handle(const watching_handle&) = delete;
  watching_handle& operator=(const watching_handle&) = delete;

  // Starts watching and waits for the first complete read.
  void start();
  // Completes with void(std::error_code) once the first read is complete.
  template <class Token>
  auto async_start(Token&& token) {
    return async_run<>(zk_.get_executor(), std::forward<Token>(token),
                       [this](auto done) { start(std::move(done)); });
  }
  // Stops watching and telling listeners.
  void close();

  // Told on the client's strand, in the order the changes are learnt.
  void add_listener(Listener listener);

 protected:
  // `what` names the recipe in errors of the blocking start().
  watching_handle(client& zk, std::string path, const char* what, std::shared_ptr<Core> core);

  const std::string& watched_path() const noexcept { return path_; }
  const Core& core() const noexcept { return *core_; }

 private:
  void start(completion<std::error_code> done);

  client& zk_;
  std::string path_;
  const char* what_;
  std::shared_ptr<Core> core_;
};

}  // namespace zkpp::recipes::detail
