#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/bind_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "connect_string.hpp"
#include "session.hpp"
#include "zkpp/client.hpp"

namespace zkpp::detail {

// Drives a `session` over TCP with Asio: resolves and connects to the hosts
// of the connect string in turn, moves bytes between socket and session, and
// runs the session's clock. Everything runs on one strand: handlers are bound
// to it, and the I/O objects are only touched from it.
//
// One exception: a request submitted from another thread while the strand is
// idle is encoded and written by that thread itself (see submit_inline). A
// blocking call then costs no wake-up of the I/O thread to send its request.
// For that, every handler of ours on the strand also holds state_mutex_.
class client_impl : public std::enable_shared_from_this<client_impl> {
 public:
  client_impl(asio::any_io_executor ex, const client_options& options, connect_string hosts);

  const asio::strand<asio::any_io_executor>& strand() const { return strand_; }

  // Callable from any thread.
  void submit(request r);
  void connect(std::unique_ptr<reply_handler> h);
  void close(std::unique_ptr<reply_handler> h);
  void cancel(std::uint64_t id);
  void add_listener(std::uint64_t id, std::function<void(session_state)> listener);
  void remove_listener(std::uint64_t id);
  // Completes everything with operation_aborted and drops the connection.
  void shut_down();

  std::int64_t session_id() const { return session_id_.load(); }
  std::chrono::milliseconds negotiated_timeout() const {
    return std::chrono::milliseconds{timeout_ms_.load()};
  }
  std::string password() const;
  std::string connected_server() const;
  client_metrics metrics() const { return metrics_.snapshot(); }

 private:
  void on_state(session_state s);
  void start_attempt();
  void attempt_failed();
  void on_transport_up();
  void on_tcp_connected(const std::string& host);
  void close_transport();
  void start_read();
  void flush();
  void arm_timer();
  void drop(std::error_code why);
  void complete_connect_waiters(std::error_code ec);
  bool session_over() const;
  void log(log_level level, const std::string& text) const;
  void notify(session_state s);
  // Sets when `r` was submitted and, with a request timeout, its deadline.
  void stamp(request& r, session::clock::time_point now) const;
  bool submit_inline(request& r);
  void write_inline();

  // f, holding state_mutex_ while it runs.
  template <class F>
  auto locked(F f) {
    return [this, f = std::move(f)](auto&&... args) mutable {
      std::lock_guard lock{state_mutex_};
      f(std::forward<decltype(args)>(args)...);
    };
  }
  // Runs a completion on the strand. The I/O objects themselves use the
  // plain executor: an any_io_executor holding a strand does not fit its
  // small buffer, so every operation would allocate to copy it.
  template <class F>
  auto on_strand(F f) {
    return asio::bind_executor(strand_, locked(std::move(f)));
  }
  // Runs f on the strand: at once when called there, else queued behind
  // earlier work (which a later inline submit must not overtake).
  template <class F>
  void run_on_strand(F f) {
    if (strand_.running_in_this_thread()) {
      std::lock_guard lock{state_mutex_};
      f();
      return;
    }
    queued_.fetch_add(1);
    asio::dispatch(strand_, locked([this, f = std::move(f)]() mutable {
                     queued_.fetch_sub(1);
                     f();
                   }));
  }

  asio::strand<asio::any_io_executor> strand_;
  // Held by our handlers on the strand, and by a thread submitting inline.
  // Recursive: a completion run under it may submit again.
  std::recursive_mutex state_mutex_;
  std::atomic<std::size_t> queued_{0};  // run_on_strand calls not yet run
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer tick_timer_;
  asio::steady_timer connect_timer_;
  asio::steady_timer lost_timer_;
  std::optional<asio::ssl::context> tls_context_;
  // The TLS stream of the current connection (owning its socket); shared with
  // its pending operations, which may outlive the connection.
  std::shared_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  bool verify_hostname_ = true;
  std::error_code last_failure_;  // why the latest connection attempt failed
  metrics_registry metrics_;
  session session_;
  connect_string hosts_;
  std::chrono::milliseconds session_timeout_;
  std::chrono::milliseconds request_timeout_;
  expiry_policy on_expiry_;
  bool lost_after_session_timeout_;
  log_sink logger_;
  session::clock::time_point timer_armed_at_ = session::clock::time_point::max();
  std::minstd_rand rng_;

  std::size_t next_host_ = 0;
  std::size_t failures_in_row_ = 0;
  bool had_session_ = false;  // once true, reconnecting never gives up by itself
  bool connecting_ = false;   // an attempt (or a backoff before one) is under way
  bool transport_up_ = false;
  bool writing_ = false;
  bool shut_down_ = false;
  std::uint64_t generation_ = 0;  // bumped per transport; stale completions compare it
  std::array<char, 64 * 1024> read_buf_{};
  std::shared_ptr<std::string> spare_write_buf_;  // see flush()

  std::vector<std::unique_ptr<reply_handler>> connect_waiters_;
  // By subscription id; ordered, so listeners are told in the order added.
  std::map<std::uint64_t, std::function<void(session_state)>> listeners_;

  std::atomic<std::int64_t> session_id_{0};
  std::atomic<std::int64_t> timeout_ms_{0};
  mutable std::mutex facts_mutex_;  // guards what other threads may read below
  std::string password_;
  std::string connected_server_;
  std::string attempt_server_;  // strand only: the host of the attempt under way
};

}  // namespace zkpp::detail
