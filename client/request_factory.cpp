#include "zkpp/detail/request_factory.hpp"

#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/path.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/error.hpp"

namespace zkpp::detail {
namespace {

using proto::opcode;

constexpr std::int64_t max_ttl_ms = (std::int64_t{1} << 40) - 1;

request invalid_request() {
  request r;
  r.invalid = error::bad_arguments;
  return r;
}

template <class Record>
request make(opcode op, const Record& record, std::string server_path = {}) {
  request r;
  r.opcode = static_cast<std::int32_t>(op);
  r.body = jute::encode(record);
  r.server_path = std::move(server_path);
  return r;
}

request header_only(opcode op) {
  request r;
  r.opcode = static_cast<std::int32_t>(op);
  return r;
}

// The create sub-request and the opcode that carries it, for a mode.
struct create_plan {
  opcode op;
  proto::multi_op::request_variant record;
};

std::optional<create_plan> plan_create(std::string server_path, std::string_view data,
                                       const create_options& o, bool want_stat) {
  const auto flags = static_cast<std::int32_t>(o.mode);
  if (flags < 0 || flags > 6) return std::nullopt;
  if (is_ttl(o.mode)) {
    const auto ttl = o.ttl.count();
    if (ttl <= 0 || ttl > max_ttl_ms) return std::nullopt;
    return create_plan{
        opcode::create_ttl,
        proto::create_ttl_request{std::move(server_path), std::string{data}, o.acl, flags, ttl}};
  }
  const opcode op = o.mode == create_mode::container ? opcode::create_container
                    : want_stat                      ? opcode::create2
                                                     : opcode::create;
  return create_plan{
      op, proto::create_request{std::move(server_path), std::string{data}, o.acl, flags}};
}

request watchable(opcode op, std::string server_path, watcher w, watch_kind kind) {
  if (!w) return make(op, proto::path_watch_request{std::move(server_path), false});
  const proto::path_watch_request record{server_path, true};
  request r = make(op, record, std::move(server_path));
  r.watch = kind;
  r.watcher = std::move(w);
  return r;
}

}  // namespace

std::string request_factory::to_server(std::string_view path) const {
  if (chroot_.empty()) return std::string{path};
  if (path == "/") return chroot_;
  return chroot_ + std::string{path};
}

request request_factory::create(std::string_view path, std::string_view data,
                                const create_options& opts, bool want_stat) const {
  if (!proto::is_valid_path(path, is_sequential(opts.mode))) return invalid_request();
  auto plan = plan_create(to_server(path), data, opts, want_stat);
  if (!plan) return invalid_request();
  request r;
  r.opcode = static_cast<std::int32_t>(plan->op);
  std::visit([&](const auto& rec) { r.body = jute::encode(rec); }, plan->record);
  return r;
}

request request_factory::remove(std::string_view path, std::int32_t version) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return make(opcode::remove, proto::delete_request{to_server(path), version});
}

request request_factory::exists(std::string_view path, watcher w) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return watchable(opcode::exists, to_server(path), std::move(w), watch_kind::exist);
}

request request_factory::get_data(std::string_view path, watcher w) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return watchable(opcode::get_data, to_server(path), std::move(w), watch_kind::data);
}

request request_factory::set_data(std::string_view path, std::string_view data,
                                  std::int32_t version) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return make(opcode::set_data,
              proto::set_data_request{to_server(path), std::string{data}, version});
}

request request_factory::get_children(std::string_view path, watcher w, bool want_stat) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return watchable(want_stat ? opcode::get_children2 : opcode::get_children, to_server(path),
                   std::move(w), watch_kind::child);
}

request request_factory::get_acl(std::string_view path) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return make(opcode::get_acl, proto::get_acl_request{to_server(path)});
}

request request_factory::set_acl(std::string_view path, const acl_list& acl,
                                 std::int32_t version) const {
  if (!proto::is_valid_path(path) || acl.empty()) return invalid_request();
  return make(opcode::set_acl, proto::set_acl_request{to_server(path), acl, version});
}

request request_factory::sync(std::string_view path) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return make(opcode::sync, proto::sync_request{to_server(path)});
}

request request_factory::multi(const std::vector<multi_op>& ops) const {
  proto::multi_request m;
  for (const auto& o : ops) {
    const bool valid = std::visit(
        [&](const auto& op) -> bool {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, op::create>) {
            if (!proto::is_valid_path(op.path, is_sequential(op.options.mode))) return false;
            auto plan = plan_create(to_server(op.path), op.data, op.options, false);
            if (!plan) return false;
            m.ops.push_back({static_cast<std::int32_t>(plan->op), std::move(plan->record)});
          } else {
            if (!proto::is_valid_path(op.path)) return false;
            if constexpr (std::is_same_v<T, op::set_data>) {
              m.ops.push_back({static_cast<std::int32_t>(opcode::set_data),
                               proto::set_data_request{to_server(op.path), op.data, op.version}});
            } else {
              const auto type = std::is_same_v<T, op::remove> ? opcode::remove : opcode::check;
              m.ops.push_back({static_cast<std::int32_t>(type),
                               proto::path_version_request{to_server(op.path), op.version}});
            }
          }
          return true;
        },
        o);
    if (!valid) return invalid_request();
  }
  return make(opcode::multi, m);
}

request request_factory::multi_read(const std::vector<read_op>& ops) const {
  proto::multi_request m;
  for (const auto& o : ops) {
    const auto& path = std::visit([](const auto& op) -> const std::string& { return op.path; }, o);
    if (!proto::is_valid_path(path)) return invalid_request();
    const auto type =
        std::holds_alternative<op::get_data>(o) ? opcode::get_data : opcode::get_children;
    m.ops.push_back(
        {static_cast<std::int32_t>(type), proto::path_watch_request{to_server(path), false}});
  }
  return make(opcode::multi_read, m);
}

request request_factory::get_ephemerals(std::string_view prefix) const {
  if (prefix.empty() || prefix.front() != '/') return invalid_request();
  // Under a chroot "/" means "everything below the chroot", not a bare string prefix.
  std::string server_prefix = chroot_.empty() ? std::string{prefix}
                              : prefix == "/" ? chroot_ + "/"
                                              : to_server(prefix);
  return make(opcode::get_ephemerals, proto::get_ephemerals_request{std::move(server_prefix)});
}

request request_factory::get_all_children_number(std::string_view path) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  return make(opcode::get_all_children_number,
              proto::get_all_children_number_request{to_server(path)});
}

request request_factory::who_am_i() const {
  return header_only(opcode::who_am_i);
}

request request_factory::add_auth(std::string_view scheme, std::string_view credentials) const {
  if (scheme.empty()) return invalid_request();
  return make(opcode::auth, proto::auth_packet{0, std::string{scheme}, std::string{credentials}});
}

request request_factory::add_watch(std::string_view path, add_watch_mode mode, watcher w) const {
  if (!proto::is_valid_path(path) || !w) return invalid_request();
  auto server_path = to_server(path);
  request r =
      make(opcode::add_watch,
           proto::add_watch_request{server_path, static_cast<std::int32_t>(mode)}, server_path);
  r.watch = mode == add_watch_mode::persistent ? watch_kind::persistent
                                               : watch_kind::persistent_recursive;
  r.watcher = std::move(w);
  return r;
}

request request_factory::remove_watches(std::string_view path, watcher_type type) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  auto server_path = to_server(path);
  return make(opcode::remove_watches,
              proto::remove_watches_request{server_path, static_cast<std::int32_t>(type)},
              server_path);
}

request request_factory::check_watches(std::string_view path, watcher_type type) const {
  if (!proto::is_valid_path(path)) return invalid_request();
  auto server_path = to_server(path);
  return make(opcode::check_watches,
              proto::check_watches_request{server_path, static_cast<std::int32_t>(type)},
              server_path);
}

request request_factory::close_session() const {
  return header_only(opcode::close_session);
}

}  // namespace zkpp::detail
