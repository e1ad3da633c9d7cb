#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace zkpp::cli {

namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "--name=value" splits into both parts; anything else is just a name.
std::pair<std::string, std::optional<std::string>> split_inline_value(const std::string& arg) {
  if (arg.starts_with("--"))
    if (const auto eq = arg.find('='); eq != std::string::npos)
      return {arg.substr(0, eq), arg.substr(eq + 1)};
  return {arg, std::nullopt};
}

}  // namespace

std::optional<std::string> arguments::value(const std::string& option) const {
  if (const auto it = values.find(option); it != values.end()) return it->second;
  return std::nullopt;
}

std::int64_t parse_integer(std::string_view text, const std::string& what, std::int64_t min,
                           std::int64_t max) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < min || v > max)
    throw usage_error(what + " must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", not '" + std::string(text) + "'");
  return v;
}

std::chrono::milliseconds parse_seconds(std::string_view text, const std::string& what) {
  // from_chars for double is in libstdc++ 11+; a fractional timeout is handy in scripts.
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) ||
      seconds < 0 || seconds > 1e9)
    throw usage_error(what + " must be a number of seconds, not '" + std::string(text) + "'");
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(seconds * 1000))};
}

invocation parse_invocation(std::span<const std::string> argv) {
  invocation inv;
  std::size_t i = 0;
  for (; i < argv.size(); ++i) {
    const auto [name, inline_value] = split_inline_value(argv[i]);
    const auto take_value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= argv.size()) throw usage_error(name + " needs a value");
      return argv[++i];
    };
    if (name == "--server" || name == "-server") {
      inv.global.servers = take_value();
      if (inv.global.servers.empty()) throw usage_error("--server must not be empty");
    } else if (name == "--timeout") {
      inv.global.timeout = parse_seconds(take_value(), "--timeout");
    } else if (name == "--json" && !inline_value) {
      inv.global.json = true;
    } else if ((name == "--help" || name == "-h") && !inline_value) {
      inv.help = true;
    } else if (name.starts_with("-")) {
      throw usage_error("unknown option " + name);
    } else {
      break;
    }
  }
  if (i == argv.size()) {
    if (inv.help) return inv;
    throw usage_error("no command given");
  }
  inv.command = argv[i];
  inv.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
  return inv;
}

arguments parse_arguments(const std::string& command, const command_spec& spec,
                          std::span<const std::string> args) {
  arguments out;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (!options_ended && arg == "--") {
      if (spec.takes_program) {
        out.program.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
        if (out.program.empty()) throw usage_error(command + ": no command after --");
        break;
      }
      options_ended = true;
      continue;
    }
    // A lone "-" and negative numbers are data, not options.
    const bool looks_like_option =
        !options_ended && arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9');
    if (!looks_like_option) {
      out.positional.push_back(arg);
      continue;
    }
    const auto [name, inline_value] = split_inline_value(arg);
    if (listed(spec.flags, name) && !inline_value) {
      out.flags.insert(name);
    } else if (listed(spec.valued, name)) {
      if (inline_value) {
        out.values[name] = *inline_value;
      } else {
        if (i + 1 >= args.size()) throw usage_error(command + ": " + name + " needs a value");
        out.values[name] = args[++i];
      }
    } else {
      throw usage_error(command + ": unknown option " + arg);
    }
  }
  if (out.positional.size() < spec.min_positional)
    throw usage_error(command + ": missing argument");
  if (out.positional.size() > spec.max_positional)
    throw usage_error(command + ": unexpected argument '" + out.positional.back() + "'");
  if (spec.takes_program && out.program.empty())
    throw usage_error(command + ": missing -- CMD [ARGS...]");
  return out;
}

std::string_view usage_text() {
  return R"(usage: zkpp-cli [--server HOSTS] [--timeout SECONDS] [--json] COMMAND ...

  --server HOSTS     connect string, host:port[,host:port...][/chroot]
                     (default 127.0.0.1:2181)
  --timeout SECONDS  bound for connecting and for each request (default 10);
                     for watch and get -w also how long to wait for events
  --json             machine-readable output: one JSON document per line

commands:
  ls PATH [-s] [-R]                  children (-s: and the stat, -R: whole subtree)
  get PATH [-s] [-w]                 data (-s: and the stat, -w: then wait for a change)
  set PATH DATA [-v VERSION]
  create [-e] [-s] [-c] [-t TTL_MS] PATH [DATA]
                                     ephemeral, sequential, container, TTL
  delete [-v VERSION] PATH
  deleteall PATH                     the node and everything below it
  stat PATH
  exists PATH                        exit 0 when the node exists, else 1
  getacl PATH
  setacl PATH ACL [-v VERSION]       ACL as scheme:id:perms[,...], e.g.
                                     world:anyone:cdrwa,digest:user:hash:r
  sync PATH
  watch PATH [--recursive] [--count N]
                                     print events as they arrive
  whoami
  ruok                               ask the server whether it is running
  lock PATH [--timeout SECONDS] -- CMD [ARGS...]
                                     run CMD while holding a lock on PATH
  elect PATH [--id ID] [--timeout SECONDS] -- CMD [ARGS...]
                                     wait for leadership, run CMD while leader

exit codes: 0 success (lock, elect: CMD's status), 1 ZooKeeper error,
2 usage, 3 cannot connect, 4 lock or leadership not acquired in time
)";
}

}  // namespace zkpp::cli
