#include "zkpp/server.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "connection.hpp"
#include "idle_poll_loop.hpp"
#include "reply_gate.hpp"
#include "sync_barrier.hpp"
#include "tls_context.hpp"
#include "zkpp/detail/server/data_dir.hpp"
#include "zkpp/detail/server/directory_lock.hpp"
#include "zkpp/detail/server/error_names.hpp"
#include "zkpp/detail/server/hex.hpp"
#include "zkpp/detail/server/request_handler.hpp"

namespace zkpp {

using detail::server::client_stream;
using detail::server::connection;
using detail::server::connection_id;
using detail::server::hex;
using detail::server::reply_gate;
using detail::server::request_handler;
using detail::server::sync_barrier;

namespace {

// Lines kept for fault_log(); older ones are dropped.
constexpr std::size_t fault_log_capacity = 10000;

// The xid of a reply or notification frame (0 for a handshake reply, whose
// first field is the protocol version).
std::int32_t frame_xid(const std::string& frame) {
  if (frame.size() < 8) return 0;
  std::uint32_t v = 0;
  for (std::size_t i = 4; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(frame[i]);
  return static_cast<std::int32_t>(v);
}

asio::ip::tcp::acceptor listen_on(asio::io_context& io, const std::string& host,
                                  std::uint16_t port) {
  const asio::ip::tcp::endpoint ep{asio::ip::make_address(host), port};
  asio::ip::tcp::acceptor acceptor{io};
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address{true});
  acceptor.bind(ep);
  acceptor.listen();
  return acceptor;
}

}  // namespace

struct server::impl final : detail::server::output_sink, detail::server::connection_events {
  explicit impl(server_options o) : options(std::move(o)) {}

  struct listener {
    std::size_t member = 0;
    asio::ssl::context* tls = nullptr;                // set on the secure port
    std::optional<asio::ip::tcp::acceptor> acceptor;  // empty while stopped
    std::uint16_t port = 0;
    std::uint64_t generation = 0;  // bumped when it stops
  };

  // output_sink
  void send(connection_id to, std::string frame) override { emit(to, std::move(frame)); }
  void send_shared(connection_id to, detail::server::shared_data_frame frame) override {
    // Frames that wait (for the disk or the fault gate) are kept whole.
    if (waiting_for_disk() || gate.holding()) return emit(to, frame.flatten());
    if (const auto it = connections.find(to); it != connections.end())
      it->second->send(std::move(frame));
  }
  void close(connection_id c) override { emit(c, std::nullopt); }

  bool waiting_for_disk() const { return store && (durable.holding() || store->sync_pending()); }

  // Output waits for the transactions before it to be on disk (batched
  // fsync), then passes the fault gate.
  void emit(connection_id to, std::optional<std::string> frame) {
    if (waiting_for_disk()) return durable.hold(to, std::move(frame));
    pass_gate(to, std::move(frame));
  }

  void pass_gate(connection_id to, std::optional<std::string> frame) {
    if (!gate.holding()) return release(to, std::move(frame));
    if (frame && gate.stalled())
      log("stall_replies: held " + describe(to, *frame));
    else if (frame && gate.delay().count() > 0)
      log("delay_replies: delayed " + describe(to, *frame) + " by " +
          std::to_string(gate.delay().count()) + " ms");
    gate.hold(to, std::move(frame));
  }

  // Past the reply gate: a frame to send, or nullopt to close after a flush.
  void release(connection_id to, std::optional<std::string> frame) {
    const auto it = connections.find(to);
    if (it == connections.end()) return;
    if (frame)
      it->second->send(std::move(*frame));
    else
      it->second->close_after_flush();
  }

  std::string session_of(connection_id c) const {
    const auto& all = handler->connections();
    const auto it = all.find(c);
    if (it == all.end() || it->second.session_id == 0) return "connection " + std::to_string(c);
    return "session 0x" + hex(it->second.session_id);
  }

  // What a held frame is, for the fault log.
  std::string describe(connection_id to, const std::string& frame) const {
    const auto xid = frame_xid(frame);
    const auto& all = handler->connections();
    const auto it = all.find(to);
    const std::string op = it == all.end() ? "NA" : it->second.last_op;
    std::string what = xid == -1      ? "notification"
                       : op == "SESS" ? "handshake reply"
                                      : op + " reply xid " + std::to_string(xid);
    return what + " to " + session_of(to);
  }

  void log(std::string line) {
    {
      std::lock_guard lock{log_mutex};
      if (fault_lines.size() == fault_log_capacity) fault_lines.pop_front();
      fault_lines.push_back(line);
    }
    if (options.on_fault) options.on_fault(line);
  }

  bool frame_length_allowed(connection_id c, std::int32_t length) override {
    if (length >= 0 && length <= max_frame) return true;
    if (max_frame != options.max_buffer)
      log("set_max_frame_size: closed the connection of " + session_of(c) + ": frame of " +
          std::to_string(length) + " bytes > " + std::to_string(max_frame));
    return false;
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

  // Binds a listener to `wanted`, or to the port it had before if it had one.
  void listen(listener& l, std::uint16_t wanted) {
    l.acceptor.emplace(listen_on(io, options.host, l.port != 0 ? l.port : wanted));
    // Set once, before the server's thread runs: other threads read it.
    if (l.port == 0) l.port = l.acceptor->local_endpoint().port();
  }

  void accept(listener& l) {
    l.acceptor->async_accept(
        [this, &l, gen = l.generation](std::error_code ec, asio::ip::tcp::socket socket) {
          // The listener stopped (and maybe started again) since: not this accept's.
          if (ec == asio::error::operation_aborted || gen != l.generation) return;
          if (!ec) {
            std::error_code remote_ec;
            const auto remote = socket.remote_endpoint(remote_ec);
            if (!remote_ec && refusing) {
              log("refuse_connections: closed the connection from " + remote.address().to_string() +
                  ":" + std::to_string(remote.port()));
              socket.shutdown(asio::ip::tcp::socket::shutdown_both, remote_ec);
              socket.close(remote_ec);
            } else if (!remote_ec) {
              const auto id = next_id++;
              auto stream = l.tls ? client_stream{std::move(socket), *l.tls}
                                  : client_stream{std::move(socket)};
              auto c = std::make_shared<connection>(std::move(stream), id, *this);
              connections.emplace(id, c);
              handler->connection_opened(id, remote.address().to_string(), remote.port(), l.member);
              c->start();
            }
          }
          accept(l);
        });
  }

  void stop_listening(listener& l) {
    if (!l.acceptor) return;
    ++l.generation;
    std::error_code ec;
    l.acceptor->close(ec);
    l.acceptor.reset();
  }

  // Member m's listeners: its client port, and for member 0 the secure port.
  template <class F>
  void for_each_listener_of(std::size_t m, F f) {
    f(listeners.at(m));
    if (m == 0 && secure) f(*secure);
  }

  std::size_t member_index(std::size_t m) const {
    if (m >= listeners.size())
      throw std::out_of_range("no member " + std::to_string(m) + " in an ensemble of " +
                              std::to_string(listeners.size()));
    return m;
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
  static std::vector<listener> make_listeners(std::size_t members) {
    std::vector<listener> out(std::max<std::size_t>(1, members));
    for (std::size_t m = 0; m < out.size(); ++m) out[m].member = m;
    return out;
  }
  // The members' client ports, and member 0's secure port.
  std::vector<listener> listeners = make_listeners(options.members);
  std::optional<asio::ssl::context> tls_context;
  std::optional<listener> secure;
  asio::steady_timer tick_timer{io};
  asio::steady_timer reap_timer{io};
  std::map<connection_id, std::shared_ptr<connection>> connections;
  std::optional<detail::server::directory_lock> data_lock;  // held from start to stop
  std::optional<detail::server::data_dir> store;
  std::unique_ptr<request_handler> handler;
  connection_id next_id = 1;
  std::thread thread;
  bool started = false;

  // Fault state, used on the server's thread.
  reply_gate gate{io, [this](connection_id to, std::optional<std::string> frame) {
                    release(to, std::move(frame));
                  }};
  sync_barrier durable{io, [this] { store->sync(); },
                       [this](connection_id to, std::optional<std::string> frame) {
                         pass_gate(to, std::move(frame));
                       }};
  bool refusing = false;
  std::int32_t max_frame = options.max_buffer;
  // Read from any thread.
  mutable std::mutex log_mutex;
  std::deque<std::string> fault_lines;
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() {
  stop();
}

void server::start() {
  auto& i = *impl_;
  if (i.started) throw std::logic_error("zkpp::server already started");
  if (i.options.members == 0) throw std::invalid_argument("zkpp::server needs at least one member");
  // TLS files are checked first, so that a bad one leaves no port bound.
  if (i.options.tls) i.tls_context.emplace(detail::server::make_tls_context(*i.options.tls));
  for (std::size_t m = 0; m < i.listeners.size(); ++m)
    i.listen(i.listeners[m],
             i.options.port == 0 ? 0 : static_cast<std::uint16_t>(i.options.port + m));
  i.options.port = i.listeners[0].port;
  if (i.tls_context) {
    i.secure.emplace();
    i.secure->tls = &*i.tls_context;
    i.listen(*i.secure, i.options.tls->secure_port);
    i.options.tls->secure_port = i.secure->port;
  }
  try {
    if (!i.options.data_dir.empty()) {
      i.data_lock.emplace(i.options.data_dir);
      i.store.emplace(i.options.data_dir, i.options.fsync, i.options.snapshot_every,
                      [&i](const std::string& line) { i.log(line); });
    }
    i.handler = std::make_unique<request_handler>(
        i.options, i, detail::server::server_clock::system(), i.store ? &*i.store : nullptr);
  } catch (...) {
    i.store.reset();
    i.data_lock.reset();
    for (auto& l : i.listeners) i.stop_listening(l);
    if (i.secure) i.stop_listening(*i.secure);
    throw;
  }
  i.handler->on_member_event([&i](std::string line) { i.log(std::move(line)); });
  for (auto& l : i.listeners) i.accept(l);
  if (i.secure) i.accept(*i.secure);
  i.schedule_tick();
  i.schedule_reap();
  i.started = true;
  i.thread = std::thread([&i] { detail::server::run_with_idle_poll(i.io, i.options.idle_poll); });
}

void server::stop() {
  auto& i = *impl_;
  if (!i.started) return;
  i.started = false;
  asio::post(i.io, [&i] {
    for (auto& l : i.listeners) i.stop_listening(l);
    if (i.secure) i.stop_listening(*i.secure);
    i.tick_timer.cancel();
    i.reap_timer.cancel();
    i.gate.cancel();
    i.durable.cancel();
    for (auto& [id, c] : i.connections) c->close_now();
    i.io.stop();
  });
  if (i.thread.joinable()) i.thread.join();
  i.connections.clear();
  // A stopped server lets another one take its data directory.
  i.data_lock.reset();
}

server_endpoint server::endpoint() const {
  return {impl_->options.host, port()};
}

std::uint16_t server::port() const {
  return impl_->options.port;
}

std::string server::connect_string() const {
  std::string out;
  for (std::size_t m = 0; m < members(); ++m) out += (m == 0 ? "" : ",") + member_connect_string(m);
  return out;
}

std::size_t server::members() const {
  return impl_->listeners.size();
}

std::uint16_t server::member_port(std::size_t m) const {
  return impl_->listeners.at(impl_->member_index(m)).port;
}

std::string server::member_connect_string(std::size_t m) const {
  return impl_->options.host + ":" + std::to_string(member_port(m));
}

void server::stop_member(std::size_t m) {
  impl_->member_index(m);
  impl_->on_io([&] {
    auto& i = *impl_;
    i.log("stop_member: member " + std::to_string(m) + " (port " +
          std::to_string(i.listeners[m].port) + ")");
    i.for_each_listener_of(m, [&](impl::listener& l) { i.stop_listening(l); });
    std::vector<connection_id> hit;
    for (const auto& [id, info] : i.handler->connections())
      if (info.member == m) hit.push_back(id);
    for (const auto id : hit)
      if (const auto it = i.connections.find(id); it != i.connections.end()) {
        i.log("stop_member: closed the connection of " + i.session_of(id));
        i.drop(id, *it->second);
      }
  });
}

void server::start_member(std::size_t m) {
  impl_->member_index(m);
  impl_->on_io([&] {
    auto& i = *impl_;
    if (i.listeners[m].acceptor) return;
    i.handler->catch_up_member(m);
    i.for_each_listener_of(m, [&](impl::listener& l) {
      i.listen(l, l.port);
      i.accept(l);
    });
    i.log("start_member: member " + std::to_string(m) + " (port " +
          std::to_string(i.listeners[m].port) + ")");
  });
}

void server::lag_member(std::size_t m) {
  impl_->member_index(m);
  impl_->on_io([&] {
    impl_->handler->lag_member(m);
    impl_->log("lag_member: member " + std::to_string(m) + " stays at zxid 0x" +
               hex(impl_->handler->member_zxid(m)));
  });
}

void server::catch_up_member(std::size_t m) {
  impl_->member_index(m);
  impl_->on_io([&] {
    impl_->handler->catch_up_member(m);
    impl_->log("catch_up_member: member " + std::to_string(m));
  });
}

std::int64_t server::member_zxid(std::size_t m) const {
  impl_->member_index(m);
  return impl_->on_io([&] { return impl_->handler ? impl_->handler->member_zxid(m) : 0; });
}

std::uint16_t server::secure_port() const {
  return impl_->options.tls ? impl_->options.tls->secure_port : 0;
}

std::string server::secure_connect_string() const {
  if (!impl_->options.tls) return {};
  return impl_->options.host + ":" + std::to_string(secure_port());
}

const server_options& server::options() const {
  return impl_->options;
}

bool server::expire_session(std::int64_t session_id) {
  return impl_->on_io([&] {
    const bool hit = impl_->handler && impl_->handler->expire_session(session_id);
    impl_->log(std::string{"expire_session: "} + (hit ? "expired" : "no") + " session 0x" +
               hex(session_id));
    return hit;
  });
}

void server::drop_connections() {
  impl_->on_io([&] {
    if (impl_->connections.empty()) impl_->log("drop_connections: no connections");
    for (auto& [id, c] : impl_->connections) {
      impl_->log("drop_connections: closed the connection of " + impl_->session_of(id));
      impl_->drop(id, *c);
    }
  });
}

bool server::drop_session_connection(std::int64_t session_id) {
  return impl_->on_io([&] {
    const auto c = impl_->handler ? impl_->handler->connection_of(session_id) : std::nullopt;
    const auto it = c ? impl_->connections.find(*c) : impl_->connections.end();
    const bool hit = it != impl_->connections.end();
    impl_->log(std::string{"drop_session_connection: "} +
               (hit ? "closed the connection of" : "no connection of") + " session 0x" +
               hex(session_id));
    if (hit) impl_->drop(it->first, *it->second);
    return hit;
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

std::vector<std::int64_t> server::sessions() const {
  return impl_->on_io([&] {
    std::vector<std::int64_t> ids;
    if (impl_->handler)
      for (const auto& [id, s] : impl_->handler->sessions().all()) ids.push_back(id);
    return ids;
  });
}

void server::stall_replies(std::chrono::milliseconds d) {
  impl_->on_io([&] {
    impl_->log("stall_replies: " + std::to_string(d.count()) + " ms");
    impl_->gate.stall_for(d);
  });
}

void server::delay_replies(std::chrono::milliseconds d) {
  impl_->on_io([&] {
    impl_->log("delay_replies: " + std::to_string(d.count()) + " ms");
    impl_->gate.delay_by(d);
  });
}

void server::refuse_connections(bool on) {
  impl_->on_io([&] {
    impl_->log(std::string{"refuse_connections: "} + (on ? "on" : "off"));
    impl_->refusing = on;
  });
}

void server::reject_next(int count, std::error_code code) {
  const auto e = static_cast<error>(code.value());
  if (code.category() != error_category() || !detail::server::is_server_error(e))
    throw std::invalid_argument("reject_next: not a ZooKeeper server error: " + code.message());
  impl_->on_io([&] {
    if (!impl_->handler) throw std::logic_error("reject_next: the server is not started");
    impl_->log("reject_next: the next " + std::to_string(count) + " requests -> " +
               detail::server::error_name(e));
    impl_->handler->reject_next(count, e,
                                [i = impl_.get()](std::string line) { i->log(std::move(line)); });
  });
}

void server::set_max_frame_size(std::int32_t bytes) {
  impl_->on_io([&] {
    impl_->max_frame = bytes > 0 ? bytes : impl_->options.max_buffer;
    impl_->log("set_max_frame_size: " + std::to_string(impl_->max_frame) + " bytes");
  });
}

std::vector<std::string> server::fault_log() const {
  std::lock_guard lock{impl_->log_mutex};
  return {impl_->fault_lines.begin(), impl_->fault_lines.end()};
}

}  // namespace zkpp
