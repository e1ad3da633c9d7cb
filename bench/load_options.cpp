#include "load_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace zkpp::bench {
namespace {

void usage(const char* prog, const std::vector<std::string>& ops) {
  std::string op_list;
  for (const auto& o : ops) op_list += (op_list.empty() ? "" : "|") + o;
  std::cerr << "usage: " << prog << " --host H:P[,H:P...] --op " << op_list
            << " [--window W] [--ops N] [--clients C] [--cycles M] [--size BYTES]"
               " [--warmup N] [--time-limit S] [--label NAME]\n";
}

bool parse_int(const char* text, std::int64_t min, std::int64_t& out) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v < min) return false;
  out = v;
  return true;
}

std::uint32_t nearest_rank(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

std::optional<load_options> parse_load_options(int argc, char** argv,
                                               const std::vector<std::string>& ops) {
  load_options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      usage(argv[0], ops);
      return std::nullopt;
    }
    const char* value = argv[++i];
    std::int64_t n = 0;
    bool ok = true;
    if (flag == "--host")
      o.hosts = value;
    else if (flag == "--op")
      o.op = value;
    else if (flag == "--label")
      o.label = value;
    else if (flag == "--window")
      ok = parse_int(value, 1, n) && (o.window = static_cast<int>(n));
    else if (flag == "--ops")
      ok = parse_int(value, 1, n) && (o.ops = n);
    else if (flag == "--clients")
      ok = parse_int(value, 1, n) && (o.clients = static_cast<int>(n));
    else if (flag == "--cycles")
      ok = parse_int(value, 1, n) && (o.cycles = n);
    else if (flag == "--size")
      ok = parse_int(value, 0, n) && ((o.size = static_cast<int>(n)), true);
    else if (flag == "--warmup")
      ok = parse_int(value, 0, n) && ((o.warmup = n), true);
    else if (flag == "--time-limit") {
      char* end = nullptr;
      o.time_limit_s = std::strtod(value, &end);
      ok = end != value && *end == '\0' && o.time_limit_s > 0;
    } else {
      std::cerr << "unknown option " << flag << "\n";
      ok = false;
    }
    if (!ok) {
      std::cerr << "bad value for " << flag << ": " << value << "\n";
      usage(argv[0], ops);
      return std::nullopt;
    }
  }
  if (o.hosts.empty() || std::find(ops.begin(), ops.end(), o.op) == ops.end()) {
    usage(argv[0], ops);
    return std::nullopt;
  }
  if (o.warmup < 0) o.warmup = std::min<std::int64_t>(o.ops / 10, 20000);
  return o;
}

void print_result(const std::string& client, const load_options& o, phase_result& r) {
  std::sort(r.latencies_us.begin(), r.latencies_us.end());
  const auto done = static_cast<std::int64_t>(r.latencies_us.size());
  const double rate = r.seconds > 0 ? static_cast<double>(done) / r.seconds : 0;
  std::printf(
      "RESULT client=%s op=%s window=%d clients=%d size=%d ops=%lld secs=%.3f ops_per_s=%.0f "
      "p50_us=%u p99_us=%u p999_us=%u max_us=%u errors=%lld truncated=%d",
      client.c_str(), r.op.c_str(), o.window, o.clients, o.size, static_cast<long long>(done),
      r.seconds, rate, nearest_rank(r.latencies_us, 0.50), nearest_rank(r.latencies_us, 0.99),
      nearest_rank(r.latencies_us, 0.999), r.latencies_us.empty() ? 0 : r.latencies_us.back(),
      static_cast<long long>(r.errors), r.truncated ? 1 : 0);
  if (r.op == "lock" || r.op == "handover")
    std::printf(" cycles=%lld", static_cast<long long>(o.cycles));
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace zkpp::bench
