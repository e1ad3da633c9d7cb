#include "zkpp/detail/server/server_config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace zkpp::detail::server {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  text = trim(text);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::optional<std::string> set_number(std::string_view name, std::string_view text,
                                      std::int64_t min, std::int64_t max, std::int64_t& out) {
  if (!parse_number(text, out) || out < min || out > max)
    return std::string{name} + ": not a number in [" + std::to_string(min) + ", " +
           std::to_string(max) + "]: " + std::string{text};
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

server_tls_options& tls(server_options& o) {
  if (!o.tls) o.tls.emplace();
  return *o.tls;
}

// One setting, by its zoo.cfg key or command-line flag.
std::optional<std::string> apply(std::string_view key, std::string_view value, server_options& o) {
  std::int64_t n = 0;
  const auto ms = [&](std::chrono::milliseconds& field) -> std::optional<std::string> {
    if (auto err = set_number(key, value, 0, 0x7fffffff, n)) return err;
    field = std::chrono::milliseconds{n};
    return std::nullopt;
  };
  if (key == "clientPort" || key == "--port") {
    if (auto err = set_number(key, value, 0, 65535, n)) return err;
    o.port = static_cast<std::uint16_t>(n);
  } else if (key == "--members") {
    if (auto err = set_number(key, value, 1, 16, n)) return err;
    o.members = static_cast<std::size_t>(n);
  } else if (key == "clientPortAddress" || key == "--host") {
    o.host = trim(value);
  } else if (key == "tickTime" || key == "--tick-time") {
    if (auto err = ms(o.tick_time)) return err;
    if (o.tick_time.count() == 0) return std::string{key} + ": must be positive";
  } else if (key == "minSessionTimeout" || key == "--min-session-timeout") {
    return ms(o.min_session_timeout);
  } else if (key == "maxSessionTimeout" || key == "--max-session-timeout") {
    return ms(o.max_session_timeout);
  } else if (key == "jute.maxbuffer" || key == "--max-buffer") {
    if (auto err = set_number(key, value, 1, 0x7fffffff, n)) return err;
    o.max_buffer = static_cast<std::int32_t>(n);
  } else if (key == "extendedTypesEnabled" || key == "zookeeper.extendedTypesEnabled" ||
             key == "--extended-types-enabled") {
    o.extended_types_enabled = trim(value) == "true";
  } else if (key == "4lw.commands.whitelist" || key == "zookeeper.4lw.commands.whitelist" ||
             key == "--4lw-whitelist") {
    o.four_letter_whitelist = split_list(value);
  } else if (key == "DigestAuthenticationProvider.superDigest" ||
             key == "zookeeper.DigestAuthenticationProvider.superDigest" ||
             key == "--super-digest") {
    o.super_digest = trim(value);
  } else if (key == "znode.container.checkIntervalMs" || key == "--reap-interval") {
    if (auto err = ms(o.reap_interval)) return err;
    if (o.reap_interval.count() == 0) return std::string{key} + ": must be positive";
  } else if (key == "secureClientPort" || key == "--secure-port") {
    if (auto err = set_number(key, value, 0, 65535, n)) return err;
    tls(o).secure_port = static_cast<std::uint16_t>(n);
  } else if (key == "--tls-cert") {
    tls(o).cert_file = trim(value);
  } else if (key == "--tls-key") {
    tls(o).key_file = trim(value);
  } else if (key == "ssl.keyStore.location" || key == "zookeeper.ssl.keyStore.location") {
    // ZooKeeper's PEM key store: the key and the certificate in one file.
    tls(o).cert_file = tls(o).key_file = trim(value);
  } else if (key == "ssl.trustStore.location" || key == "zookeeper.ssl.trustStore.location" ||
             key == "--tls-ca") {
    tls(o).ca_file = trim(value);
  } else if (key == "ssl.clientAuth" || key == "zookeeper.ssl.clientAuth" ||
             key == "--tls-client-auth") {
    const auto mode = trim(value);
    if (mode != "need" && mode != "none")
      return std::string{key} + ": need or none: " + std::string{mode};
    tls(o).require_client_cert = mode == "need";
  } else if (key == "--data-dir") {
    o.data_dir = trim(value);
  } else if (key == "--fsync") {
    const auto policy = trim(value);
    if (policy == "every")
      o.fsync = fsync_policy::every_write;
    else if (policy == "batched")
      o.fsync = fsync_policy::batched;
    else if (policy == "off")
      o.fsync = fsync_policy::off;
    else
      return std::string{key} + ": not every, batched or off: " + std::string{value};
  } else if (key == "--snapshot-every") {
    if (auto err = set_number(key, value, 1, 0x7fffffffffffffff, n)) return err;
    o.snapshot_every = n;
  } else if (key == "--idle-poll") {
    if (auto err = set_number(key, value, 0, 1000000, n)) return err;
    o.idle_poll = std::chrono::microseconds{n};
  } else if (key.starts_with("--")) {
    return "unknown option " + std::string{key};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> apply_zoo_cfg(std::string_view text, server_options& options) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    if (auto err = apply(trim(line.substr(0, eq)), trim(line.substr(eq + 1)), options))
      return "line " + std::to_string(line_no) + ": " + *err;
  }
  return std::nullopt;
}

std::optional<std::string> parse_command_line(const std::vector<std::string>& args,
                                              server_options& options, program_options& program) {
  if (args.size() % 2 != 0) return "missing value for " + args.back();
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (args[i] != "--config") continue;
    std::ifstream in{args[i + 1]};
    if (!in) return "cannot read " + args[i + 1];
    std::stringstream text;
    text << in.rdbuf();
    if (auto err = apply_zoo_cfg(text.str(), options)) return args[i + 1] + ": " + *err;
  }
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (args[i] == "--config") continue;
    if (!args[i].starts_with("--")) return "unexpected argument " + args[i];
    if (args[i] == "--control-port") {
      std::int64_t port = 0;
      if (auto err = set_number(args[i], args[i + 1], 0, 65535, port)) return err;
      program.control_port = static_cast<std::uint16_t>(port);
      continue;
    }
    if (auto err = apply(args[i], args[i + 1], options)) return err;
  }
  return std::nullopt;
}

std::optional<std::string> parse_command_line(const std::vector<std::string>& args,
                                              server_options& options) {
  program_options ignored;
  return parse_command_line(args, options, ignored);
}

}  // namespace zkpp::detail::server
