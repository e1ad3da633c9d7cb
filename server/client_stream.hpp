#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include <system_error>
#include <utility>
#include <variant>

namespace zkpp::detail::server {

// The byte stream of one client connection: plain TCP (the client port) or
// TLS over TCP (the secure port), so that the connection's protocol logic
// is written once for both.
class client_stream {
 public:
  explicit client_stream(asio::ip::tcp::socket socket) : stream_(std::move(socket)) {}
  client_stream(asio::ip::tcp::socket socket, asio::ssl::context& tls)
      : stream_(std::in_place_type<tls_stream>, std::move(socket), tls) {}

  // The server side of the TLS handshake; on a plain stream the handler
  // runs at once (posted, never inline) with success.
  template <class Handler>
  void async_handshake(Handler&& handler) {
    if (auto* tls = std::get_if<tls_stream>(&stream_))
      return tls->async_handshake(asio::ssl::stream_base::server, std::forward<Handler>(handler));
    asio::post(tcp().get_executor(),
               [h = std::forward<Handler>(handler)]() mutable { h(std::error_code{}); });
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    std::visit([&](auto& s) { s.async_read_some(buffers, std::forward<Handler>(handler)); },
               stream_);
  }

  template <class Buffers, class Handler>
  void async_write(const Buffers& buffers, Handler&& handler) {
    std::visit([&](auto& s) { asio::async_write(s, buffers, std::forward<Handler>(handler)); },
               stream_);
  }

  void set_no_delay() {
    std::error_code ignored;
    tcp().set_option(asio::ip::tcp::no_delay{true}, ignored);
  }

  bool is_open() { return tcp().is_open(); }

  // Closes the TCP connection at once. A TLS stream sends no close_notify:
  // that would need a shutdown exchange racing the pending read, and a
  // client sees the end of the connection either way.
  void close() {
    std::error_code ignored;
    tcp().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close(ignored);
  }

 private:
  using tls_stream = asio::ssl::stream<asio::ip::tcp::socket>;

  asio::ip::tcp::socket& tcp() {
    if (auto* tls = std::get_if<tls_stream>(&stream_)) return tls->next_layer();
    return std::get<asio::ip::tcp::socket>(stream_);
  }

  std::variant<asio::ip::tcp::socket, tls_stream> stream_;
};

}  // namespace zkpp::detail::server
