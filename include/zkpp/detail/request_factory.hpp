#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/request.hpp"

namespace zkpp::detail {

// Validates arguments, applies the chroot and encodes each operation's
// request record. Invalid arguments give a request with `invalid` set.
class request_factory {
 public:
  explicit request_factory(std::string chroot) : chroot_(std::move(chroot)) {}

  const std::string& chroot() const { return chroot_; }

  request create(std::string_view path, std::string_view data, const create_options& opts,
                 bool want_stat) const;
  request remove(std::string_view path, std::int32_t version) const;
  request exists(std::string_view path, watcher w) const;
  request get_data(std::string_view path, watcher w) const;
  request set_data(std::string_view path, std::string_view data, std::int32_t version) const;
  request get_children(std::string_view path, watcher w, bool want_stat) const;
  request get_acl(std::string_view path) const;
  request set_acl(std::string_view path, const acl_list& acl, std::int32_t version) const;
  request sync(std::string_view path) const;
  request multi(const std::vector<multi_op>& ops) const;
  request multi_read(const std::vector<read_op>& ops) const;
  request get_ephemerals(std::string_view prefix) const;
  request get_all_children_number(std::string_view path) const;
  request who_am_i() const;
  request add_auth(std::string_view scheme, std::string_view credentials) const;
  request add_watch(std::string_view path, add_watch_mode mode, watcher w) const;
  request remove_watches(std::string_view path, watcher_type type) const;
  request check_watches(std::string_view path, watcher_type type) const;
  request close_session() const;

  // The server path of a client path (chroot prepended).
  std::string to_server(std::string_view path) const;

 private:
  std::string chroot_;
};

}  // namespace zkpp::detail
