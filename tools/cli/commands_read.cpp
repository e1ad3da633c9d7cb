#include <algorithm>
#include <deque>
#include <future>
#include <memory>

#include "acl_syntax.hpp"
#include "commands.hpp"
#include "failure.hpp"
#include "session.hpp"

namespace zkpp::cli {

namespace {

std::string child_path(const std::string& parent, const std::string& name) {
  return (parent == "/" ? "" : parent) + "/" + name;
}

std::vector<std::string> sorted_children(client& zk, const std::string& path) {
  std::error_code ec;
  auto children = zk.get_children(path, {}, ec);
  check(ec, path);
  std::sort(children.begin(), children.end());
  return children;
}

// `path` and all below it, breadth first as zkCli's ls -R; nodes deleted
// while we walk are skipped.
std::vector<std::string> subtree(client& zk, const std::string& path) {
  std::vector<std::string> out{path};
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::error_code ec;
    auto children = zk.get_children(out[i], {}, ec);
    if (ec == error::no_node && i > 0) continue;
    check(ec, out[i]);
    std::sort(children.begin(), children.end());
    for (const auto& c : children) out.push_back(child_path(out[i], c));
  }
  return out;
}

// The node's stat; no_node is a failure like any other.
stat existing_stat(client& zk, const std::string& path) {
  std::error_code ec;
  const auto st = zk.exists(path, {}, ec);
  check(ec ? ec : (st ? std::error_code{} : make_error_code(error::no_node)), path);
  return *st;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

int run_ls(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  if (args.has("-s") && args.has("-R")) throw usage_error("ls: -s and -R cannot be combined");
  session s{ctx.global};
  if (args.has("-R")) {
    const auto paths = subtree(s.zk(), path);
    ctx.out.print(join_lines(paths), {{"path", path}, {"paths", paths}});
    return exit_code::success;
  }
  if (!args.has("-s")) {
    const auto children = sorted_children(s.zk(), path);
    ctx.out.print(join_lines(children), {{"path", path}, {"children", children}});
    return exit_code::success;
  }
  std::error_code ec;
  auto result = s.zk().get_children2(path, {}, ec);
  check(ec, path);
  std::sort(result.children.begin(), result.children.end());
  auto text = join_lines(result.children);
  ctx.out.print((text.empty() ? "" : text + "\n") + stat_text(result.stat),
                {{"path", path}, {"children", result.children}, {"stat", stat_json(result.stat)}});
  return exit_code::success;
}

int run_get(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  session s{ctx.global};
  // The watch outlives this call if no event comes: it only touches the promise it shares.
  auto fired = std::make_shared<std::promise<watch_event>>();
  watcher w;
  if (args.has("-w"))
    w = [fired, once = std::make_shared<std::once_flag>()](const watch_event& e) {
      std::call_once(*once, [&] { fired->set_value(e); });
    };
  std::error_code ec;
  const auto result = s.zk().get_data(path, w, ec);
  check(ec, path);
  nlohmann::json doc{{"path", path}, {"data", result.data}};
  std::string text = result.data;
  if (args.has("-s")) {
    doc["stat"] = stat_json(result.stat);
    text += "\n" + stat_text(result.stat);
  }
  ctx.out.print(text, doc);
  if (!args.has("-w")) return exit_code::success;
  auto event = fired->get_future();
  if (ctx.global.timeout) {
    if (event.wait_for(*ctx.global.timeout) != std::future_status::ready) return exit_code::success;
  }
  const auto e = event.get();
  ctx.out.print(event_text(e), event_json(e));
  return exit_code::success;
}

int run_stat(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  session s{ctx.global};
  const auto st = existing_stat(s.zk(), path);
  ctx.out.print(stat_text(st), {{"path", path}, {"stat", stat_json(st)}});
  return exit_code::success;
}

int run_exists(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  session s{ctx.global};
  existing_stat(s.zk(), path);
  ctx.out.print(path + " exists", {{"path", path}, {"exists", true}});
  return exit_code::success;
}

int run_getacl(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  session s{ctx.global};
  std::error_code ec;
  const auto result = s.zk().get_acl(path, ec);
  check(ec, path);
  std::vector<std::string> lines;
  auto entries = nlohmann::json::array();
  for (const auto& a : result.acl) {
    lines.push_back(acl_text(a));
    entries.push_back({{"scheme", a.id.scheme}, {"id", a.id.id}, {"perms", perms_text(a.perms)}});
  }
  ctx.out.print(join_lines(lines), {{"path", path}, {"acl", entries}});
  return exit_code::success;
}

int run_sync(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  session s{ctx.global};
  std::error_code ec;
  s.zk().sync(path, ec);
  check(ec, path);
  ctx.out.print("synced " + path, {{"path", path}, {"synced", true}});
  return exit_code::success;
}

int run_whoami(const context& ctx, const arguments&) {
  session s{ctx.global};
  std::error_code ec;
  const auto infos = s.zk().whoami(ec);
  check(ec, "whoami");
  std::vector<std::string> lines;
  auto doc = nlohmann::json::array();
  for (const auto& i : infos) {
    lines.push_back(i.auth_scheme + ":" + i.user);
    doc.push_back({{"scheme", i.auth_scheme}, {"user", i.user}});
  }
  ctx.out.print(join_lines(lines), doc);
  return exit_code::success;
}

}  // namespace zkpp::cli
