#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "failure.hpp"

namespace zkpp::cli {

namespace {

// host and port of each entry of a connect string ("[::1]:2181" for IPv6);
// the chroot does not matter here.
std::vector<std::pair<std::string, std::string>> endpoints(const std::string& servers) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view rest{servers};
  rest = rest.substr(0, rest.find('/'));
  while (!rest.empty()) {
    const auto entry = rest.substr(0, rest.find(','));
    rest.remove_prefix(std::min(rest.size(), entry.size() + 1));
    const auto colon = entry.rfind(':');
    const bool has_port = colon != std::string_view::npos && entry.find(']', colon) == entry.npos;
    auto host = entry.substr(0, has_port ? colon : entry.size());
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    out.emplace_back(host, has_port ? entry.substr(colon + 1) : "2181");
  }
  return out;
}

// The server's whole answer to `word` (it closes the connection after it),
// or an error; bounded by `timeout`.
std::pair<std::error_code, std::string> ask(const std::string& host, const std::string& port,
                                            const std::string& word,
                                            std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  std::string reply;
  std::error_code result = asio::error::timed_out;
  asio::ip::tcp::resolver resolver{io};
  resolver.async_resolve(host, port, [&](std::error_code ec, auto results) {
    if (ec) return void(result = ec);
    asio::async_connect(socket, results, [&](std::error_code ec, const auto&) {
      if (ec) return void(result = ec);
      asio::async_write(socket, asio::buffer(word), [&](std::error_code ec, std::size_t) {
        if (ec) return void(result = ec);
        asio::async_read(socket, asio::dynamic_buffer(reply), [&](std::error_code ec, std::size_t) {
          result = ec == asio::error::eof ? std::error_code{} : ec;
        });
      });
    });
  });
  io.run_for(timeout);
  return {result, reply};
}

}  // namespace

int run_ruok(const context& ctx, const arguments&) {
  std::string failures;
  for (const auto& [host, port] : endpoints(ctx.global.servers)) {
    const auto [ec, reply] = ask(host, port, "ruok", ctx.global.connect_timeout());
    if (ec) {
      failures += (failures.empty() ? "" : ", ") + host + ":" + port + ": " + ec.message();
      continue;
    }
    ctx.out.print(reply, {{"server", host + ":" + port}, {"reply", reply}});
    if (reply != "imok")
      throw cli_failure(exit_code::zookeeper_error,
                        "unexpected reply from " + host + ":" + port + ": '" + reply + "'");
    return exit_code::success;
  }
  throw cli_failure(exit_code::cannot_connect, "cannot connect to " + ctx.global.servers +
                                                   (failures.empty() ? "" : ": " + failures));
}

}  // namespace zkpp::cli
