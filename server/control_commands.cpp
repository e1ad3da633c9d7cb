#include "control_commands.hpp"

#include <charconv>
#include <optional>
#include <sstream>
#include <vector>

#include "zkpp/detail/server/error_names.hpp"
#include "zkpp/detail/server/hex.hpp"

namespace zkpp::detail::server {
namespace {

std::vector<std::string> words(std::string_view line) {
  std::istringstream in{std::string{line}};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(std::move(w));
  return out;
}

template <class T>
std::optional<T> number(std::string_view text, int base = 10) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "0x1f" or "1f", as `sessions` and ZooKeeper's four-letter words print them.
std::optional<std::int64_t> session_id(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  const auto v = number<std::uint64_t>(text, 16);
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

std::optional<std::chrono::milliseconds> duration(std::string_view text) {
  const auto v = number<std::int64_t>(text);
  if (!v || *v < 0) return std::nullopt;
  return std::chrono::milliseconds{*v};
}

std::string log_answer(const zkpp::server& srv) {
  const auto lines = srv.fault_log();
  std::string out = "ok " + std::to_string(lines.size());
  for (const auto& l : lines) out += "\n" + l;
  return out;
}

std::string sessions_answer(const zkpp::server& srv) {
  std::string out = "ok";
  for (const auto id : srv.sessions()) out += " 0x" + hex(id);
  return out;
}

std::string run(zkpp::server& srv, const std::vector<std::string>& w) {
  const auto& cmd = w[0];
  const auto arity = [&](std::size_t n) { return w.size() == n + 1; };
  if (cmd == "sessions" && arity(0)) return sessions_answer(srv);
  if (cmd == "log" && arity(0)) return log_answer(srv);
  if (cmd == "drop" && arity(1) && w[1] == "all") {
    srv.drop_connections();
    return "ok";
  }
  if ((cmd == "expire" || cmd == "drop") && arity(1)) {
    const auto id = session_id(w[1]);
    if (!id) return "error not a session id: " + w[1];
    const bool hit = cmd == "expire" ? srv.expire_session(*id) : srv.drop_session_connection(*id);
    if (!hit)
      return "error " + std::string{cmd == "expire" ? "no session " : "no connection of session "} +
             w[1];
    return "ok";
  }
  if ((cmd == "stall" || cmd == "delay") && arity(1)) {
    const auto d = duration(w[1]);
    if (!d) return "error not a duration in ms: " + w[1];
    if (cmd == "stall")
      srv.stall_replies(*d);
    else
      srv.delay_replies(*d);
    return "ok";
  }
  if (cmd == "refuse" && arity(1) && (w[1] == "on" || w[1] == "off")) {
    srv.refuse_connections(w[1] == "on");
    return "ok";
  }
  if (cmd == "reject" && arity(2)) {
    const auto count = number<int>(w[1]);
    if (!count || *count < 0) return "error not a count: " + w[1];
    const auto code = server_error_named(w[2]);
    if (!code) return "error not a ZooKeeper server error name: " + w[2];
    srv.reject_next(*count, *code);
    return "ok";
  }
  if ((cmd == "stop-member" || cmd == "start-member" || cmd == "lag" || cmd == "catch-up") &&
      arity(1)) {
    const auto m = number<std::size_t>(w[1]);
    if (!m || *m >= srv.members())
      return "error not a member (0.." + std::to_string(srv.members() - 1) + "): " + w[1];
    if (cmd == "stop-member")
      srv.stop_member(*m);
    else if (cmd == "start-member")
      srv.start_member(*m);
    else if (cmd == "lag")
      srv.lag_member(*m);
    else
      srv.catch_up_member(*m);
    return "ok";
  }
  if (cmd == "max-frame" && arity(1)) {
    const auto bytes = number<std::int32_t>(w[1]);
    if (!bytes || *bytes < 0) return "error not a size in bytes: " + w[1];
    srv.set_max_frame_size(*bytes);
    return "ok";
  }
  return "error unknown command: " + cmd;
}

}  // namespace

std::string run_control_command(zkpp::server& srv, std::string_view line) {
  const auto w = words(line);
  if (w.empty()) return "error empty command";
  try {
    return run(srv, w);
  } catch (const std::exception& e) {
    return std::string{"error "} + e.what();
  }
}

}  // namespace zkpp::detail::server
