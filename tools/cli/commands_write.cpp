#include <string>

#include "acl_syntax.hpp"
#include "commands.hpp"
#include "failure.hpp"
#include "session.hpp"

namespace zkpp::cli {

namespace {

std::int32_t version_option(const arguments& args) {
  const auto v = args.value("-v");
  return v ? static_cast<std::int32_t>(parse_integer(*v, "-v VERSION", -1, INT32_MAX)) : -1;
}

create_mode mode_of(const arguments& args) {
  const bool ephemeral = args.has("-e");
  const bool sequential = args.has("-s");
  const bool container = args.has("-c");
  const bool ttl = args.value("-t").has_value();
  if (container && (ephemeral || sequential || ttl))
    throw usage_error("create: -c cannot be combined with -e, -s or -t");
  if (ttl && ephemeral) throw usage_error("create: -t cannot be combined with -e");
  if (container) return create_mode::container;
  if (ttl)
    return sequential ? create_mode::persistent_sequential_with_ttl
                      : create_mode::persistent_with_ttl;
  if (ephemeral) return sequential ? create_mode::ephemeral_sequential : create_mode::ephemeral;
  return sequential ? create_mode::persistent_sequential : create_mode::persistent;
}

// Children first; nodes someone else deletes meanwhile are fine.
void delete_tree(client& zk, const std::string& path) {
  std::error_code ec;
  const auto children = zk.get_children(path, {}, ec);
  if (ec == error::no_node) return;
  check(ec, path);
  for (const auto& c : children) delete_tree(zk, (path == "/" ? "" : path) + "/" + c);
  if (path == "/") return;  // the root cannot be deleted
  zk.remove(path, -1, ec);
  if (ec != error::no_node) check(ec, path);
}

}  // namespace

int run_set(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  const auto version = version_option(args);
  session s{ctx.global};
  std::error_code ec;
  const auto st = s.zk().set_data(path, args.positional[1], version, ec);
  check(ec, path);
  ctx.out.print("", {{"path", path}, {"stat", stat_json(st)}});
  return exit_code::success;
}

int run_create(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  create_options options;
  options.mode = mode_of(args);
  if (const auto ttl = args.value("-t"))
    options.ttl = std::chrono::milliseconds{parse_integer(*ttl, "-t TTL_MS", 1, (1LL << 40) - 1)};
  const auto data = args.positional.size() > 1 ? args.positional[1] : std::string{};
  session s{ctx.global};
  std::error_code ec;
  const auto created = s.zk().create(path, data, options, ec);
  check(ec, path);
  ctx.out.print("Created " + created, {{"path", created}});
  return exit_code::success;
}

int run_delete(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  const auto version = version_option(args);
  session s{ctx.global};
  std::error_code ec;
  s.zk().remove(path, version, ec);
  check(ec, path);
  ctx.out.print("", {{"path", path}, {"deleted", true}});
  return exit_code::success;
}

int run_deleteall(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  session s{ctx.global};
  std::error_code ec;
  if (!s.zk().exists(path, {}, ec) && !ec) ec = error::no_node;
  check(ec, path);
  delete_tree(s.zk(), path);
  ctx.out.print("", {{"path", path}, {"deleted", true}});
  return exit_code::success;
}

int run_setacl(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  const auto acl = parse_acl(args.positional[1]);
  const auto version = version_option(args);
  session s{ctx.global};
  std::error_code ec;
  const auto st = s.zk().set_acl(path, acl, version, ec);
  check(ec, path);
  ctx.out.print("", {{"path", path}, {"stat", stat_json(st)}});
  return exit_code::success;
}

}  // namespace zkpp::cli
