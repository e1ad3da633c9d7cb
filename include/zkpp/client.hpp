#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "zkpp/detail/request_factory.hpp"
#include "zkpp/detail/typed_reply.hpp"
#include "zkpp/error.hpp"
#include "zkpp/metrics.hpp"
#include "zkpp/results.hpp"
#include "zkpp/types.hpp"

namespace zkpp {

namespace detail {
class client_impl;
}

// Names one state listener of a client (see client::on_state).
class state_subscription {
 public:
  state_subscription() = default;
  // Removes the listener; idempotent, and harmless once the client is gone.
  // From the client's own callbacks the listener is not called again; from
  // another thread a notification already under way may still reach it.
  void unsubscribe();

 private:
  friend class client;
  state_subscription(std::weak_ptr<detail::client_impl> impl, std::uint64_t id)
      : impl_(std::move(impl)), id_(id) {}
  std::weak_ptr<detail::client_impl> impl_;
  std::uint64_t id_ = 0;
};

namespace detail {
class owned_io_thread;
template <class T>
struct signature {
  using type = void(std::error_code, T);
};
template <>
struct signature<void> {
  using type = void(std::error_code);
};

// Installed in a completion handler's cancellation slot: completes that one
// request with operation_aborted (a write may still take effect on the server).
struct request_canceller {
  // A constructor, not an aggregate: cancellation slots construct it with
  // parentheses, which Clang before 16 does not take for aggregates.
  request_canceller(std::weak_ptr<client_impl> i, std::uint64_t request)
      : impl(std::move(i)), id(request) {}
  std::weak_ptr<client_impl> impl;
  std::uint64_t id;
  void operator()(asio::cancellation_type type) const;
};
}  // namespace detail

// What the client does when the server declares its session expired.
enum class expiry_policy {
  close,        // stay closed: every later call fails with session_expired
  new_session,  // start a fresh session (ephemerals and watches are gone)
};

enum class log_level { debug, info, warning, error };

// TLS to the servers (ZooKeeper's secureClientPort), through OpenSSL.
struct tls_options {
  std::string ca_file{};    // PEM file of trusted CAs; empty: the system's default paths
  std::string cert_file{};  // client certificate chain (PEM), for mutual TLS
  std::string key_file{};   // its private key (PEM)
  bool verify_peer = true;
  // Check the server certificate against the host name (or IP address) of
  // the connect string entry being connected to.
  bool verify_hostname = true;
  std::string ciphers{};      // OpenSSL cipher list for TLS 1.2; empty: OpenSSL's default
  bool allow_tls_1_2 = true;  // false: TLS 1.3 only
};

// Receives the client's log lines; never sees credentials.
using log_sink = std::function<void(log_level, std::string_view)>;

struct client_options {
  // "host:port[,host:port...][/chroot]"; IPv6 hosts in brackets: "[::1]:2181".
  std::string connect_string = "127.0.0.1:2181";
  // Requested session timeout; the server clamps it into its [min, max].
  std::chrono::milliseconds session_timeout{10000};
  // Accept read-only servers (ZooKeeper's canBeReadOnly).
  bool can_be_read_only = false;
  // Largest frame accepted from the server (jute.maxbuffer plus slack).
  std::int32_t max_frame_size = 2 * 0xfffff;
  // Every request completes with error::operation_timeout after this long
  // without a reply (0: no deadline; connection loss still ends it).
  std::chrono::milliseconds request_timeout{0};
  expiry_policy on_expiry = expiry_policy::close;
  // Report `lost` once the connection has been suspended for a whole session
  // timeout, as Curator does: the server has most likely expired the session
  // by then, so whatever it guarded (a lock, leadership) is gone. The client
  // keeps trying and reports `reconnected` if the session survived after all.
  bool lost_after_session_timeout = true;
  log_sink logger{};
  // Set to connect over TLS; every host of the connect string must then be a secure port.
  std::optional<tls_options> tls{};
};

// An asynchronous ZooKeeper client. Every async_xxx operation takes a
// completion token (callback, asio::use_future, asio::use_awaitable,
// asio::deferred) and completes with `void(std::error_code[, T])`. Each
// synchronous call mirrors one of them and either throws std::system_error
// or fills an std::error_code&. Any thread may call; callbacks, watches and
// state listeners run on the client's strand, in the order the server sent
// the events.
class client {
 public:
  using executor_type = asio::any_io_executor;

  // Runs on `ex` (all session state lives on a strand of it).
  client(executor_type ex, client_options options);
  // Runs on an I/O thread of its own.
  explicit client(client_options options);
  // Completes every outstanding operation with operation_aborted and closes
  // the connection without closing the session (its ephemerals stay until
  // the session times out); call close() first for a clean goodbye.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  executor_type get_executor() const noexcept;

  // True inside the client's callbacks (on its strand), where a blocking
  // call would wait for itself; libraries check it to fail instead.
  bool running_in_this_thread() const noexcept;

  // Expires when the client's destruction begins. Work that outlives the
  // objects using the client (a recipe's retried delete) checks it on the
  // client's executor before touching the client again.
  std::weak_ptr<const void> lifetime() const noexcept;

  // Adds a listener for connection-state changes (connected, suspended, lost,
  // closed...), called on the client's strand. Keep the returned subscription
  // to remove it again; dropping it keeps the listener for the client's life.
  state_subscription on_state(std::function<void(session_state)> listener);

  // Session facts; zero / empty until connected.
  std::int64_t session_id() const noexcept;
  std::string session_password() const;
  std::chrono::milliseconds negotiated_timeout() const noexcept;
  // Counters of requests, errors, reconnects and latencies so far.
  client_metrics metrics() const;

  // "host:port" of the server the client is connected to; empty when not connected.
  std::string connected_server() const;

  template <class Token>
  auto async_connect(Token&& token) {
    return initiate<void>(std::forward<Token>(token),
                          [this](std::unique_ptr<detail::reply_handler> h, std::uint64_t) {
                            start_connect(std::move(h));
                          });
  }

  // Closes the session: the server deletes its ephemeral nodes at once.
  template <class Token>
  auto async_close(Token&& token) {
    return initiate<void>(std::forward<Token>(token),
                          [this](std::unique_ptr<detail::reply_handler> h, std::uint64_t) {
                            start_close(std::move(h));
                          });
  }

  // Creates a node and completes with its path (sequential modes add a suffix).
  template <class Token>
  auto async_create(std::string_view path, std::string_view data, const create_options& options,
                    Token&& token) {
    return submit<std::string>(factory_.create(path, data, options, false),
                               std::forward<Token>(token));
  }
  template <class Token>
  auto async_create(std::string_view path, std::string_view data, Token&& token) {
    return async_create(path, data, create_options{}, std::forward<Token>(token));
  }

  // Like async_create, and also gives the new node's stat (create2).
  template <class Token>
  auto async_create2(std::string_view path, std::string_view data, const create_options& options,
                     Token&& token) {
    return submit<create_result>(factory_.create(path, data, options, true),
                                 std::forward<Token>(token));
  }

  // Deletes a node; version -1 matches any version.
  template <class Token>
  auto async_remove(std::string_view path, std::int32_t version, Token&& token) {
    return submit<void>(factory_.remove(path, version), std::forward<Token>(token));
  }

  // The node's stat, or nullopt when it does not exist. A watcher is armed
  // either way: it fires on creation, deletion or change.
  template <class Token>
  auto async_exists(std::string_view path, watcher w, Token&& token) {
    return submit<std::optional<stat>>(factory_.exists(path, std::move(w)),
                                       std::forward<Token>(token));
  }
  template <class Token>
  auto async_exists(std::string_view path, Token&& token) {
    return async_exists(path, watcher{}, std::forward<Token>(token));
  }

  template <class Token>
  auto async_get_data(std::string_view path, watcher w, Token&& token) {
    return submit<data_result>(factory_.get_data(path, std::move(w)), std::forward<Token>(token));
  }
  template <class Token>
  auto async_get_data(std::string_view path, Token&& token) {
    return async_get_data(path, watcher{}, std::forward<Token>(token));
  }

  template <class Token>
  auto async_set_data(std::string_view path, std::string_view data, std::int32_t version,
                      Token&& token) {
    return submit<stat>(factory_.set_data(path, data, version), std::forward<Token>(token));
  }

  // Child names (not paths), in the server's order.
  template <class Token>
  auto async_get_children(std::string_view path, watcher w, Token&& token) {
    return submit<std::vector<std::string>>(factory_.get_children(path, std::move(w), false),
                                            std::forward<Token>(token));
  }
  template <class Token>
  auto async_get_children(std::string_view path, Token&& token) {
    return async_get_children(path, watcher{}, std::forward<Token>(token));
  }

  template <class Token>
  auto async_get_children2(std::string_view path, watcher w, Token&& token) {
    return submit<children_result>(factory_.get_children(path, std::move(w), true),
                                   std::forward<Token>(token));
  }
  template <class Token>
  auto async_get_children2(std::string_view path, Token&& token) {
    return async_get_children2(path, watcher{}, std::forward<Token>(token));
  }

  template <class Token>
  auto async_get_acl(std::string_view path, Token&& token) {
    return submit<acl_result>(factory_.get_acl(path), std::forward<Token>(token));
  }

  template <class Token>
  auto async_set_acl(std::string_view path, const acl_list& acl, std::int32_t version,
                     Token&& token) {
    return submit<stat>(factory_.set_acl(path, acl, version), std::forward<Token>(token));
  }

  template <class Token>
  auto async_sync(std::string_view path, Token&& token) {
    return submit<std::string>(factory_.sync(path), std::forward<Token>(token));
  }

  // All or nothing. On failure the error is the failing op's code and the
  // results tell which op failed.
  template <class Token>
  auto async_multi(const std::vector<multi_op>& ops, Token&& token) {
    return submit<multi_result>(factory_.multi(ops), std::forward<Token>(token));
  }

  // Independent reads in one round trip; each result carries its own error.
  template <class Token>
  auto async_multi_read(const std::vector<read_op>& ops, Token&& token) {
    return submit<multi_result>(factory_.multi_read(ops), std::forward<Token>(token));
  }

  // Paths of this session's ephemeral nodes that start with `prefix`.
  template <class Token>
  auto async_get_ephemerals(std::string_view prefix, Token&& token) {
    return submit<std::vector<std::string>>(factory_.get_ephemerals(prefix),
                                            std::forward<Token>(token));
  }

  // Number of descendants of the node (whole subtree, not the node itself).
  template <class Token>
  auto async_get_all_children_number(std::string_view path, Token&& token) {
    return submit<std::int32_t>(factory_.get_all_children_number(path), std::forward<Token>(token));
  }

  template <class Token>
  auto async_whoami(Token&& token) {
    return submit<std::vector<client_info>>(factory_.who_am_i(), std::forward<Token>(token));
  }

  // Adds credentials (e.g. "digest", "user:password") to the session; they
  // are presented again after every reconnect.
  template <class Token>
  auto async_add_auth(std::string_view scheme, std::string_view credentials, Token&& token) {
    return submit<void>(factory_.add_auth(scheme, credentials), std::forward<Token>(token));
  }

  // A persistent (or persistent-recursive) watch: fires on every change until removed.
  template <class Token>
  auto async_add_watch(std::string_view path, add_watch_mode mode, watcher w, Token&& token) {
    return submit<void>(factory_.add_watch(path, mode, std::move(w)), std::forward<Token>(token));
  }

  // Removes this session's watches of `type` on `path`, on the server and
  // here; removed watchers get a *_watch_removed event.
  template <class Token>
  auto async_remove_watches(std::string_view path, watcher_type type, Token&& token) {
    return submit<void>(factory_.remove_watches(path, type), std::forward<Token>(token));
  }

  // Synchronous forms. From inside a callback on the client's strand they
  // fail at once with error::would_block_on_strand instead of deadlocking.
  void connect();
  void connect(std::error_code& ec);
  void close();
  void close(std::error_code& ec);
  std::string create(std::string_view path, std::string_view data, const create_options& o = {});
  std::string create(std::string_view path, std::string_view data, const create_options& o,
                     std::error_code& ec);
  create_result create2(std::string_view path, std::string_view data, const create_options& o = {});
  create_result create2(std::string_view path, std::string_view data, const create_options& o,
                        std::error_code& ec);
  void remove(std::string_view path, std::int32_t version = -1);
  void remove(std::string_view path, std::int32_t version, std::error_code& ec);
  std::optional<stat> exists(std::string_view path, watcher w = {});
  std::optional<stat> exists(std::string_view path, watcher w, std::error_code& ec);
  data_result get_data(std::string_view path, watcher w = {});
  data_result get_data(std::string_view path, watcher w, std::error_code& ec);
  stat set_data(std::string_view path, std::string_view data, std::int32_t version = -1);
  stat set_data(std::string_view path, std::string_view data, std::int32_t version,
                std::error_code& ec);
  std::vector<std::string> get_children(std::string_view path, watcher w = {});
  std::vector<std::string> get_children(std::string_view path, watcher w, std::error_code& ec);
  children_result get_children2(std::string_view path, watcher w = {});
  children_result get_children2(std::string_view path, watcher w, std::error_code& ec);
  acl_result get_acl(std::string_view path);
  acl_result get_acl(std::string_view path, std::error_code& ec);
  stat set_acl(std::string_view path, const acl_list& acl, std::int32_t version = -1);
  stat set_acl(std::string_view path, const acl_list& acl, std::int32_t version,
               std::error_code& ec);
  std::string sync(std::string_view path);
  std::string sync(std::string_view path, std::error_code& ec);
  multi_result multi(const std::vector<multi_op>& ops);
  multi_result multi(const std::vector<multi_op>& ops, std::error_code& ec);
  multi_result multi_read(const std::vector<read_op>& ops);
  multi_result multi_read(const std::vector<read_op>& ops, std::error_code& ec);
  std::vector<std::string> get_ephemerals(std::string_view prefix = "/");
  std::vector<std::string> get_ephemerals(std::string_view prefix, std::error_code& ec);
  std::int32_t get_all_children_number(std::string_view path);
  std::int32_t get_all_children_number(std::string_view path, std::error_code& ec);
  std::vector<client_info> whoami();
  std::vector<client_info> whoami(std::error_code& ec);
  void add_auth(std::string_view scheme, std::string_view credentials);
  void add_auth(std::string_view scheme, std::string_view credentials, std::error_code& ec);
  void add_watch(std::string_view path, add_watch_mode mode, watcher w);
  void add_watch(std::string_view path, add_watch_mode mode, watcher w, std::error_code& ec);
  void remove_watches(std::string_view path, watcher_type type);
  void remove_watches(std::string_view path, watcher_type type, std::error_code& ec);

 private:
  template <class T, class Token, class Start>
  auto initiate(Token&& token, Start start) {
    return asio::async_initiate<Token, typename detail::signature<T>::type>(
        [this](auto handler, Start start) {
          using handler_type = std::decay_t<decltype(handler)>;
          const auto id = next_request_id_.fetch_add(1, std::memory_order_relaxed) + 1;
          auto slot = asio::get_associated_cancellation_slot(handler);
          if (slot.is_connected()) slot.template emplace<detail::request_canceller>(impl_, id);
          start(std::make_unique<detail::typed_reply<T, handler_type, strand_type>>(
                    std::move(handler), strand()),
                id);
        },
        token, std::move(start));
  }

  template <class T, class Token>
  auto submit(detail::request req, Token&& token) {
    return initiate<T>(std::forward<Token>(token),
                       [this, r = std::move(req)](std::unique_ptr<detail::reply_handler> h,
                                                  std::uint64_t id) mutable {
                         r.handler = std::move(h);
                         r.id = id;
                         start_request(std::move(r));
                       });
  }

  using strand_type = asio::strand<asio::any_io_executor>;
  // The strand itself rather than get_executor()'s type-erased copy: a reply's
  // work guard and its completion's dispatch then allocate nothing.
  const strand_type& strand() const noexcept;

  void start_request(detail::request req);
  void start_connect(std::unique_ptr<detail::reply_handler> h);
  void start_close(std::unique_ptr<detail::reply_handler> h);

  template <class T, class Start>
  T run_sync(std::error_code& ec, Start start);

  std::atomic<std::uint64_t> next_request_id_{0};
  std::unique_ptr<detail::owned_io_thread> owned_;
  std::shared_ptr<detail::client_impl> impl_;
  detail::request_factory factory_;
  std::shared_ptr<const void> alive_ = std::make_shared<int>(0);
};

}  // namespace zkpp
