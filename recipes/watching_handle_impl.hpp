#pragma once

// Member definitions of detail::watching_handle, for the recipes' .cpp
// files that instantiate it.

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/watching_handle.hpp"

namespace zkpp::recipes::detail {

template <class Core, class Listener>
watching_handle<Core, Listener>::watching_handle(client& zk, std::string path, const char* what,
                                                 std::shared_ptr<Core> core)
    : zk_(zk), path_(std::move(path)), what_(what), core_(std::move(core)) {}

template <class Core, class Listener>
watching_handle<Core, Listener>::~watching_handle() {
  close();
}

template <class Core, class Listener>
void watching_handle<Core, Listener>::start() {
  run_or_throw<>(zk_, std::string{what_} + "::start " + path_,
                 [this](auto done) { start(std::move(done)); });
}

template <class Core, class Listener>
void watching_handle<Core, Listener>::start(completion<std::error_code> done) {
  core_->start(std::move(done));
}

template <class Core, class Listener>
void watching_handle<Core, Listener>::close() {
  core_->close();
}

template <class Core, class Listener>
void watching_handle<Core, Listener>::add_listener(Listener listener) {
  core_->add_listener(std::move(listener));
}

}  // namespace zkpp::recipes::detail
