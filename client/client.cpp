#include "zkpp/client.hpp"

#include <asio/io_context.hpp>

#include <asio/bind_executor.hpp>
#include <asio/system_executor.hpp>

#include <memory>
#include <optional>
#include <thread>

#include "client_impl.hpp"
#include "completion_event.hpp"

namespace zkpp {
namespace detail {

// The I/O thread of a client constructed without an executor.
class owned_io_thread {
 public:
  owned_io_thread() : state_(std::make_shared<state>()), thread_([s = state_] { s->io.run(); }) {}
  ~owned_io_thread() { finish(); }

  // Lets run() return once the work left is done and waits for it; called
  // from the thread itself (a client destroyed in its own callback), it
  // detaches instead, and the thread keeps the io_context until it ends.
  void finish() {
    state_->work.reset();
    if (!thread_.joinable()) return;
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }

  asio::any_io_executor executor() { return state_->io.get_executor(); }

 private:
  struct state {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{asio::make_work_guard(io)};
  };
  std::shared_ptr<state> state_;
  std::thread thread_;
};

void request_canceller::operator()(asio::cancellation_type) const {
  if (auto i = impl.lock()) i->cancel(id);
}

namespace {

connect_string parse_or_throw(const client_options& o) {
  std::error_code ec;
  auto cs = parse_connect_string(o.connect_string, ec);
  if (ec) throw std::system_error(ec, "invalid connect string '" + o.connect_string + "'");
  return cs;
}

// Runs the error_code form of a call and throws what it reports.
template <class Call>
auto or_throw(Call call, std::string_view what, std::string_view path = {}) {
  std::error_code ec;
  auto check = [&] {
    if (!ec) return;
    std::string msg{what};
    if (!path.empty()) msg.append(" ").append(path);
    throw std::system_error(ec, msg);
  };
  if constexpr (std::is_void_v<decltype(call(ec))>) {
    call(ec);
    check();
  } else {
    auto r = call(ec);
    check();
    return r;
  }
}

// Where a blocking call waits, on the caller's stack; the caller returns
// (and destroys it) once done_ is set.
template <class T>
class sync_result {
 public:
  template <class... V>
  void set(std::error_code ec, V&&... v) {
    ec_ = ec;
    if constexpr (sizeof...(V) > 0) value_.emplace(std::forward<V>(v)...);
    done_.set();
  }

  T wait(std::error_code& ec) {
    done_.wait();
    ec = ec_;
    if constexpr (!std::is_void_v<T>) return std::move(*value_);
  }

 private:
  struct nothing {};
  completion_event done_;
  std::error_code ec_;
  std::optional<std::conditional_t<std::is_void_v<T>, nothing, T>> value_;
};

}  // namespace
}  // namespace detail

client::client(executor_type ex, client_options options)
    : impl_(std::make_shared<detail::client_impl>(ex, options, detail::parse_or_throw(options))),
      factory_(detail::parse_or_throw(options).chroot) {}

client::client(client_options options)
    : owned_(std::make_unique<detail::owned_io_thread>()),
      impl_(std::make_shared<detail::client_impl>(owned_->executor(), options,
                                                  detail::parse_or_throw(options))),
      factory_(detail::parse_or_throw(options).chroot) {}

client::~client() {
  alive_.reset();
  impl_->shut_down();
  // impl_ outlives the owned thread's last callback (which may still submit,
  // and is answered with client_closed) and dies before its io_context.
  if (owned_) owned_->finish();
  impl_.reset();
  owned_.reset();
}

std::weak_ptr<const void> client::lifetime() const noexcept {
  return alive_;
}

client::executor_type client::get_executor() const noexcept {
  return impl_->strand();
}

const client::strand_type& client::strand() const noexcept {
  return impl_->strand();
}

state_subscription client::on_state(std::function<void(session_state)> listener) {
  const auto id = next_request_id_.fetch_add(1, std::memory_order_relaxed) + 1;
  impl_->add_listener(id, std::move(listener));
  return {impl_, id};
}

void state_subscription::unsubscribe() {
  if (auto impl = impl_.lock()) impl->remove_listener(id_);
  impl_.reset();
}

std::int64_t client::session_id() const noexcept {
  return impl_->session_id();
}
std::string client::session_password() const {
  return impl_->password();
}
std::string client::connected_server() const {
  return impl_->connected_server();
}
client_metrics client::metrics() const {
  return impl_->metrics();
}
std::chrono::milliseconds client::negotiated_timeout() const noexcept {
  return impl_->negotiated_timeout();
}

void client::start_request(detail::request req) {
  impl_->submit(std::move(req));
}
void client::start_connect(std::unique_ptr<detail::reply_handler> h) {
  impl_->connect(std::move(h));
}
void client::start_close(std::unique_ptr<detail::reply_handler> h) {
  impl_->close(std::move(h));
}

bool client::running_in_this_thread() const noexcept {
  return impl_->strand().running_in_this_thread();
}

template <class T, class Start>
T client::run_sync(std::error_code& ec, Start start) {
  if (running_in_this_thread()) {
    ec = error::would_block_on_strand;
    if constexpr (std::is_void_v<T>)
      return;
    else
      return T{};
  }
  // The completion runs inline wherever the reply is decoded (the client's
  // strand), so waiting costs no allocation and no executor hop.
  detail::sync_result<T> result;
  if constexpr (std::is_void_v<T>) {
    start(asio::bind_executor(asio::system_executor{},
                              [&result](std::error_code e) { result.set(e); }));
  } else {
    start(asio::bind_executor(asio::system_executor{},
                              [&result](std::error_code e, T v) { result.set(e, std::move(v)); }));
  }
  return result.wait(ec);
}

void client::connect(std::error_code& ec) {
  run_sync<void>(ec, [&](auto h) { async_connect(std::move(h)); });
}
void client::connect() {
  detail::or_throw([&](std::error_code& ec) { connect(ec); }, "connect");
}

void client::close(std::error_code& ec) {
  run_sync<void>(ec, [&](auto h) { async_close(std::move(h)); });
}
void client::close() {
  detail::or_throw([&](std::error_code& ec) { close(ec); }, "close");
}

std::string client::create(std::string_view path, std::string_view data, const create_options& o,
                           std::error_code& ec) {
  return run_sync<std::string>(ec, [&](auto h) { async_create(path, data, o, std::move(h)); });
}
std::string client::create(std::string_view path, std::string_view data, const create_options& o) {
  return detail::or_throw([&](std::error_code& ec) { return create(path, data, o, ec); }, "create",
                          path);
}

create_result client::create2(std::string_view path, std::string_view data, const create_options& o,
                              std::error_code& ec) {
  return run_sync<create_result>(ec, [&](auto h) { async_create2(path, data, o, std::move(h)); });
}
create_result client::create2(std::string_view path, std::string_view data,
                              const create_options& o) {
  return detail::or_throw([&](std::error_code& ec) { return create2(path, data, o, ec); }, "create",
                          path);
}

void client::remove(std::string_view path, std::int32_t version, std::error_code& ec) {
  run_sync<void>(ec, [&](auto h) { async_remove(path, version, std::move(h)); });
}
void client::remove(std::string_view path, std::int32_t version) {
  detail::or_throw([&](std::error_code& ec) { remove(path, version, ec); }, "delete", path);
}

std::optional<stat> client::exists(std::string_view path, watcher w, std::error_code& ec) {
  return run_sync<std::optional<stat>>(
      ec, [&](auto h) { async_exists(path, std::move(w), std::move(h)); });
}
std::optional<stat> client::exists(std::string_view path, watcher w) {
  return detail::or_throw([&](std::error_code& ec) { return exists(path, std::move(w), ec); },
                          "exists", path);
}

data_result client::get_data(std::string_view path, watcher w, std::error_code& ec) {
  return run_sync<data_result>(ec,
                               [&](auto h) { async_get_data(path, std::move(w), std::move(h)); });
}
data_result client::get_data(std::string_view path, watcher w) {
  return detail::or_throw([&](std::error_code& ec) { return get_data(path, std::move(w), ec); },
                          "get_data", path);
}

stat client::set_data(std::string_view path, std::string_view data, std::int32_t version,
                      std::error_code& ec) {
  return run_sync<stat>(ec, [&](auto h) { async_set_data(path, data, version, std::move(h)); });
}
stat client::set_data(std::string_view path, std::string_view data, std::int32_t version) {
  return detail::or_throw([&](std::error_code& ec) { return set_data(path, data, version, ec); },
                          "set_data", path);
}

std::vector<std::string> client::get_children(std::string_view path, watcher w,
                                              std::error_code& ec) {
  return run_sync<std::vector<std::string>>(
      ec, [&](auto h) { async_get_children(path, std::move(w), std::move(h)); });
}
std::vector<std::string> client::get_children(std::string_view path, watcher w) {
  return detail::or_throw([&](std::error_code& ec) { return get_children(path, std::move(w), ec); },
                          "get_children", path);
}

children_result client::get_children2(std::string_view path, watcher w, std::error_code& ec) {
  return run_sync<children_result>(
      ec, [&](auto h) { async_get_children2(path, std::move(w), std::move(h)); });
}
children_result client::get_children2(std::string_view path, watcher w) {
  return detail::or_throw(
      [&](std::error_code& ec) { return get_children2(path, std::move(w), ec); }, "get_children",
      path);
}

acl_result client::get_acl(std::string_view path, std::error_code& ec) {
  return run_sync<acl_result>(ec, [&](auto h) { async_get_acl(path, std::move(h)); });
}
acl_result client::get_acl(std::string_view path) {
  return detail::or_throw([&](std::error_code& ec) { return get_acl(path, ec); }, "get_acl", path);
}

stat client::set_acl(std::string_view path, const acl_list& acl, std::int32_t version,
                     std::error_code& ec) {
  return run_sync<stat>(ec, [&](auto h) { async_set_acl(path, acl, version, std::move(h)); });
}
stat client::set_acl(std::string_view path, const acl_list& acl, std::int32_t version) {
  return detail::or_throw([&](std::error_code& ec) { return set_acl(path, acl, version, ec); },
                          "set_acl", path);
}

std::string client::sync(std::string_view path, std::error_code& ec) {
  return run_sync<std::string>(ec, [&](auto h) { async_sync(path, std::move(h)); });
}
std::string client::sync(std::string_view path) {
  return detail::or_throw([&](std::error_code& ec) { return sync(path, ec); }, "sync", path);
}

multi_result client::multi(const std::vector<multi_op>& ops, std::error_code& ec) {
  return run_sync<multi_result>(ec, [&](auto h) { async_multi(ops, std::move(h)); });
}
multi_result client::multi(const std::vector<multi_op>& ops) {
  return detail::or_throw([&](std::error_code& ec) { return multi(ops, ec); }, "multi");
}

multi_result client::multi_read(const std::vector<read_op>& ops, std::error_code& ec) {
  return run_sync<multi_result>(ec, [&](auto h) { async_multi_read(ops, std::move(h)); });
}
multi_result client::multi_read(const std::vector<read_op>& ops) {
  return detail::or_throw([&](std::error_code& ec) { return multi_read(ops, ec); }, "multi_read");
}

std::vector<std::string> client::get_ephemerals(std::string_view prefix, std::error_code& ec) {
  return run_sync<std::vector<std::string>>(
      ec, [&](auto h) { async_get_ephemerals(prefix, std::move(h)); });
}
std::vector<std::string> client::get_ephemerals(std::string_view prefix) {
  return detail::or_throw([&](std::error_code& ec) { return get_ephemerals(prefix, ec); },
                          "get_ephemerals", prefix);
}

std::int32_t client::get_all_children_number(std::string_view path, std::error_code& ec) {
  return run_sync<std::int32_t>(ec,
                                [&](auto h) { async_get_all_children_number(path, std::move(h)); });
}
std::int32_t client::get_all_children_number(std::string_view path) {
  return detail::or_throw([&](std::error_code& ec) { return get_all_children_number(path, ec); },
                          "get_all_children_number", path);
}

std::vector<client_info> client::whoami(std::error_code& ec) {
  return run_sync<std::vector<client_info>>(ec, [&](auto h) { async_whoami(std::move(h)); });
}
std::vector<client_info> client::whoami() {
  return detail::or_throw([&](std::error_code& ec) { return whoami(ec); }, "whoami");
}

void client::add_auth(std::string_view scheme, std::string_view credentials, std::error_code& ec) {
  run_sync<void>(ec, [&](auto h) { async_add_auth(scheme, credentials, std::move(h)); });
}
void client::add_auth(std::string_view scheme, std::string_view credentials) {
  detail::or_throw([&](std::error_code& ec) { add_auth(scheme, credentials, ec); }, "add_auth",
                   scheme);
}

void client::add_watch(std::string_view path, add_watch_mode mode, watcher w, std::error_code& ec) {
  run_sync<void>(ec, [&](auto h) { async_add_watch(path, mode, std::move(w), std::move(h)); });
}
void client::add_watch(std::string_view path, add_watch_mode mode, watcher w) {
  detail::or_throw([&](std::error_code& ec) { add_watch(path, mode, std::move(w), ec); },
                   "add_watch", path);
}

void client::remove_watches(std::string_view path, watcher_type type, std::error_code& ec) {
  run_sync<void>(ec, [&](auto h) { async_remove_watches(path, type, std::move(h)); });
}
void client::remove_watches(std::string_view path, watcher_type type) {
  detail::or_throw([&](std::error_code& ec) { remove_watches(path, type, ec); }, "remove_watches",
                   path);
}

}  // namespace zkpp
