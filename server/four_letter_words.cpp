#include "zkpp/detail/server/four_letter_words.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <set>

#include "zkpp/detail/server/hex.hpp"
#include "zkpp/detail/server/request_handler.hpp"

namespace zkpp::detail::server {
namespace {

constexpr std::array known{"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
                           "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs"};

const std::string& version() {
  static const std::string v = "3.8.0-zkpp, built on " __DATE__;
  return v;
}

// Java's Double.toString for the 4-decimal averages ZooKeeper reports.
std::string average(const latency_stats& s) {
  const double avg = s.count == 0 ? 0.0 : static_cast<double>(s.total) / s.count;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", avg);
  std::string out = buf;
  while (out.back() == '0' && out[out.size() - 2] != '.') out.pop_back();
  return out;
}

// java.util.Date#toString in UTC.
std::string java_date(std::int64_t wall_ms) {
  const std::time_t t = wall_ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

std::string endpoint(const connection_info& c) {
  return " /" + c.address + ":" + std::to_string(c.port);
}

std::string connection_line(const connection_info& c, bool details) {
  std::string out = endpoint(c) + "[" + (c.session_id ? "1" : "0") +
                    "](queued=0,recved=" + std::to_string(c.received) +
                    ",sent=" + std::to_string(c.sent);
  if (details && c.session_id) {
    out += ",sid=0x" + hex(c.session_id) + ",lop=" + c.last_op +
           ",est=" + std::to_string(c.established) + ",to=" + std::to_string(c.timeout_ms) +
           ",lcxid=0x" + hex(c.last_cxid) + ",lzxid=0x" + hex(c.last_zxid) +
           ",lresp=" + std::to_string(c.last_response) + ",llat=" + std::to_string(c.last_latency) +
           ",minlat=" + std::to_string(c.latency.min) +
           ",avglat=" + std::to_string(c.latency.count ? c.latency.total / c.latency.count : 0) +
           ",maxlat=" + std::to_string(c.latency.max);
  }
  return out + ")\n";
}

std::string server_summary(const request_handler& s, std::string_view mode) {
  const auto& l = s.latency();
  return "Latency min/avg/max: " + std::to_string(l.min) + "/" + average(l) + "/" +
         std::to_string(l.max) + "\nReceived: " + std::to_string(s.packets_received()) +
         "\nSent: " + std::to_string(s.packets_sent()) +
         "\nConnections: " + std::to_string(s.connections().size()) + "\nOutstanding: 0\nZxid: 0x" +
         hex(s.last_zxid()) + "\nMode: " + std::string{mode} +
         "\nNode count: " + std::to_string(s.tree().node_count()) + "\n";
}

std::size_t open_descriptors() {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

std::string mntr(const request_handler& s, std::string_view mode) {
  const auto& l = s.latency();
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  const std::pair<const char*, std::string> rows[] = {
      {"zk_version", version()},
      {"zk_server_state", std::string{mode}},
      {"zk_ephemerals_count", std::to_string(s.tree().ephemeral_count())},
      {"zk_num_alive_connections", std::to_string(s.connections().size())},
      {"zk_avg_latency", average(l)},
      {"zk_outstanding_requests", "0"},
      {"zk_znode_count", std::to_string(s.tree().node_count())},
      {"zk_global_sessions", std::to_string(s.sessions().all().size())},
      {"zk_local_sessions", "0"},
      {"zk_packets_sent", std::to_string(s.packets_sent())},
      {"zk_packets_received", std::to_string(s.packets_received())},
      {"zk_watch_count", std::to_string(s.watches().watch_count())},
      {"zk_min_latency", std::to_string(l.min)},
      {"zk_max_latency", std::to_string(l.max)},
      {"zk_approximate_data_size", std::to_string(s.tree().approximate_data_size())},
      {"zk_open_file_descriptor_count", std::to_string(open_descriptors())},
      {"zk_max_file_descriptor_count", std::to_string(limit.rlim_cur)},
      {"zk_uptime", std::to_string(s.steady_ms() - s.started_steady_ms())},
      {"zk_auth_failed_count", "0"},
  };
  std::string out;
  for (const auto& [key, value] : rows) out += std::string{key} + "\t" + value + "\n";
  return out;
}

std::string dump(const request_handler& s) {
  const auto& buckets = s.sessions().buckets();
  const auto to_wall = [&](std::int64_t steady) { return s.wall_ms() + steady - s.steady_ms(); };
  std::string out = "SessionTracker dump:\nSession Sets (" + std::to_string(buckets.size()) +
                    ")/(" + std::to_string(s.sessions().all().size()) + "):\n";
  for (const auto& [at, ids] : buckets) {
    out += std::to_string(ids.size()) + " expire at " + java_date(to_wall(at)) + ":\n";
    for (auto id : ids) out += "\t0x" + hex(id) + "\n";
  }
  const auto& ephemerals = s.tree().all_ephemerals();
  out += "ephemeral nodes dump:\nSessions with Ephemerals (" + std::to_string(ephemerals.size()) +
         "):\n";
  for (const auto& [id, paths] : ephemerals) {
    out += "0x" + hex(id) + ":\n";
    for (const auto& p : paths) out += "\t" + p + "\n";
  }
  out += "Connections dump:\nConnections Sets (1)/(" + std::to_string(s.connections().size()) +
         "):\n" + std::to_string(s.connections().size()) + " expire at " + java_date(s.wall_ms()) +
         ":\n";
  for (const auto& [id, c] : s.connections())
    out += "\tip:" + endpoint(c) + " sessionId: 0x" + hex(c.session_id) + "\n";
  return out;
}

// wchs / wchc / wchp cover the data watch table, as ZooKeeper 3.8's do.
std::int64_t session_of(const request_handler& s, watcher_id w) {
  const auto it = s.connections().find(w);
  return it == s.connections().end() ? 0 : it->second.session_id;
}

std::string watches_by_path(const request_handler& s) {
  std::string out;
  for (const auto& [path, watchers] : s.watches().data.by_path()) {
    out += path + "\n";
    for (const auto& [w, mode] : watchers) out += "\t0x" + hex(session_of(s, w)) + "\n";
  }
  return out + "\n";
}

std::string watches_by_session(const request_handler& s) {
  std::map<std::int64_t, std::set<std::string>> by_session;
  for (const auto& [path, watchers] : s.watches().data.by_path())
    for (const auto& [w, mode] : watchers) by_session[session_of(s, w)].insert(path);
  std::string out;
  for (const auto& [id, paths] : by_session) {
    out += "0x" + hex(id) + "\n";
    for (const auto& p : paths) out += "\t" + p + "\n";
  }
  return out + "\n";
}

std::string watch_summary(const request_handler& s) {
  std::set<watcher_id> watchers;
  std::size_t total = 0;
  const auto& table = s.watches().data.by_path();
  for (const auto& [path, ws] : table)
    for (const auto& [w, mode] : ws) {
      watchers.insert(w);
      ++total;
    }
  return std::to_string(watchers.size()) + " connections watching " + std::to_string(table.size()) +
         " paths\nTotal watches:" + std::to_string(total) + "\n";
}

std::string conf(const request_handler& s) {
  const auto& o = s.options();
  const auto tick = o.tick_time.count();
  const auto min = o.min_session_timeout.count() > 0 ? o.min_session_timeout.count() : 2 * tick;
  const auto max = o.max_session_timeout.count() > 0 ? o.max_session_timeout.count() : 20 * tick;
  return "clientPort=" + std::to_string(o.port) +
         "\nsecureClientPort=-1\ndataDir=(memory)\ndataDirSize=0\ndataLogDir=(memory)\n"
         "dataLogSize=0\ntickTime=" +
         std::to_string(tick) + "\nmaxClientCnxns=60\nminSessionTimeout=" + std::to_string(min) +
         "\nmaxSessionTimeout=" + std::to_string(max) +
         "\nclientPortListenBacklog=-1\nserverId=0\n";
}

std::string envi() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  utsname u{};
  uname(&u);
  std::error_code ec;
  const auto cwd = std::filesystem::current_path(ec).string();
  const char* user = std::getenv("USER");
  const char* home = std::getenv("HOME");
  return "Environment:\nzookeeper.version=" + version() + "\nhost.name=" + host +
         "\nos.name=" + u.sysname + "\nos.arch=" + u.machine + "\nos.version=" + u.release +
         "\nuser.name=" + (user ? user : "") + "\nuser.home=" + (home ? home : "") +
         "\nuser.dir=" + cwd + "\n";
}

bool whitelisted(const server_options& o, std::string_view cmd) {
  return std::any_of(o.four_letter_whitelist.begin(), o.four_letter_whitelist.end(),
                     [&](const std::string& w) { return w == "*" || w == cmd; });
}

}  // namespace

bool is_four_letter_word(std::string_view cmd) {
  return std::find(known.begin(), known.end(), cmd) != known.end();
}

std::string four_letter_reply(const request_handler& s, std::string_view cmd,
                              std::string_view mode) {
  if (!whitelisted(s.options(), cmd))
    return std::string{cmd} + " is not executed because it is not in the whitelist.\n";
  if (cmd == "ruok") return "imok";
  if (cmd == "isro") return "rw";
  if (cmd == "srvr") return "Zookeeper version: " + version() + "\n" + server_summary(s, mode);
  if (cmd == "stat") {
    std::string out = "Zookeeper version: " + version() + "\nClients:\n";
    for (const auto& [id, c] : s.connections()) out += connection_line(c, false);
    return out + "\n" + server_summary(s, mode);
  }
  if (cmd == "cons") {
    std::string out;
    for (const auto& [id, c] : s.connections()) out += connection_line(c, true);
    return out + "\n";
  }
  if (cmd == "mntr") return mntr(s, mode);
  if (cmd == "dump") return dump(s);
  if (cmd == "wchs") return watch_summary(s);
  if (cmd == "wchc") return watches_by_session(s);
  if (cmd == "wchp") return watches_by_path(s);
  if (cmd == "conf") return conf(s);
  if (cmd == "envi") return envi();
  if (cmd == "dirs") return "datadir_size: 0\nlogdir_size: 0\n";
  if (cmd == "crst") return "Connection stats reset.\n";
  if (cmd == "srst") return "Server stats reset.\n";
  if (cmd == "hash") return "";
  return "306";  // gtmk / stmk: ZooKeeper's default trace mask
}

}  // namespace zkpp::detail::server
