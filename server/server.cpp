#include "zkpp/server.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <future>
#include <map>
#include <stdexcept>
#include <thread>

#include "connection.hpp"
#include "zkpp/detail/server/request_handler.hpp"

namespace zkpp {

using detail::server::connection;
using detail::server::connection_id;
using detail::server::request_handler;

struct server::impl final : detail::server::output_sink, detail::server::connection_events {
  explicit impl(server_options o) : options(std::move(o)) {}

  // output_sink
  void send(connection_id to, std::string frame) override {
    if (const auto it = connections.find(to); it != connections.end())
      it->second->send(std::move(frame));
  }
  void close(connection_id c) override {
    if (const auto it = connections.find(c); it != connections.end())
      it->second->close_after_flush();
  }

  // connection_events
  std::optional<std::string> first_word(connection_id c, std::uint32_t word) override {
    return handler->four_letter_word(c, word);
  }
  void frame(connection_id c, std::string_view payload) override {
    handler->frame_received(c, payload);
  }
  void closed(connection_id c) override {
    handler->connection_closed(c);
    connections.erase(c);
  }

  // Closes a connection as if the client had vanished; the handler learns
  // at once, so that the session no longer counts as attached to it.
  void drop(connection_id id, connection& c) {
    c.close_now();
    handler->connection_closed(id);
  }

  void accept() {
    acceptor->async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        std::error_code remote_ec;
        const auto remote = socket.remote_endpoint(remote_ec);
        if (!remote_ec) {
          const auto id = next_id++;
          auto c = std::make_shared<connection>(std::move(socket), id, options.max_buffer, *this);
          connections.emplace(id, c);
          handler->connection_opened(id, remote.address().to_string(), remote.port());
          c->start();
        }
      }
      accept();
    });
  }

  // Session expiry runs at tick boundaries, like ZooKeeper's ExpiryQueue.
  void schedule_tick() {
    const auto tick = std::max<std::int64_t>(1, options.tick_time.count());
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    tick_timer.expires_at(
        std::chrono::steady_clock::time_point{std::chrono::milliseconds{(now / tick + 1) * tick}});
    tick_timer.async_wait([this](std::error_code ec) {
      if (ec) return;
      handler->expire_due();
      schedule_tick();
    });
  }

  void schedule_reap() {
    reap_timer.expires_after(std::max(options.reap_interval, std::chrono::milliseconds{1}));
    reap_timer.async_wait([this](std::error_code ec) {
      if (ec) return;
      handler->reap();
      schedule_reap();
    });
  }

  // Runs `f` on the server's thread (or here when it is not running) and
  // returns its result.
  template <class F>
  auto on_io(F f) -> decltype(f()) {
    if (!thread.joinable() || io.get_executor().running_in_this_thread()) return f();
    std::packaged_task<decltype(f())()> task{std::move(f)};
    auto result = task.get_future();
    asio::post(io, [&task] { task(); });
    return result.get();
  }

  server_options options;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::optional<asio::ip::tcp::acceptor> acceptor;
  asio::steady_timer tick_timer{io};
  asio::steady_timer reap_timer{io};
  std::map<connection_id, std::shared_ptr<connection>> connections;
  std::unique_ptr<request_handler> handler;
  connection_id next_id = 1;
  std::thread thread;
  bool started = false;
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() {
  stop();
}

void server::start() {
  auto& i = *impl_;
  if (i.started) throw std::logic_error("zkpp::server already started");
  const asio::ip::tcp::endpoint ep{asio::ip::make_address(i.options.host), i.options.port};
  i.acceptor.emplace(i.io);
  i.acceptor->open(ep.protocol());
  i.acceptor->set_option(asio::socket_base::reuse_address{true});
  i.acceptor->bind(ep);
  i.acceptor->listen();
  i.options.port = i.acceptor->local_endpoint().port();
  i.handler = std::make_unique<request_handler>(i.options, i);
  i.accept();
  i.schedule_tick();
  i.schedule_reap();
  i.started = true;
  i.thread = std::thread([&i] { i.io.run(); });
}

void server::stop() {
  auto& i = *impl_;
  if (!i.started) return;
  i.started = false;
  asio::post(i.io, [&i] {
    std::error_code ec;
    i.acceptor->close(ec);
    i.tick_timer.cancel();
    i.reap_timer.cancel();
    for (auto& [id, c] : i.connections) c->close_now();
    i.io.stop();
  });
  if (i.thread.joinable()) i.thread.join();
  i.connections.clear();
}

server_endpoint server::endpoint() const {
  return {impl_->options.host, port()};
}

std::uint16_t server::port() const {
  return impl_->options.port;
}

std::string server::connect_string() const {
  return impl_->options.host + ":" + std::to_string(port());
}

const server_options& server::options() const {
  return impl_->options;
}

bool server::expire_session(std::int64_t session_id) {
  return impl_->on_io([&] { return impl_->handler && impl_->handler->expire_session(session_id); });
}

void server::drop_connections() {
  impl_->on_io([&] {
    for (auto& [id, c] : impl_->connections) impl_->drop(id, *c);
  });
}

bool server::drop_session_connection(std::int64_t session_id) {
  return impl_->on_io([&] {
    if (!impl_->handler) return false;
    const auto c = impl_->handler->connection_of(session_id);
    if (!c) return false;
    const auto it = impl_->connections.find(*c);
    if (it == impl_->connections.end()) return false;
    impl_->drop(it->first, *it->second);
    return true;
  });
}

void server::reap_now() {
  impl_->on_io([&] {
    if (impl_->handler) impl_->handler->reap();
  });
}

std::int64_t server::last_zxid() const {
  return impl_->on_io([&] { return impl_->handler ? impl_->handler->last_zxid() : 0; });
}

}  // namespace zkpp
