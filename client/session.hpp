#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "metrics_registry.hpp"
#include "watch_registry.hpp"
#include "zkpp/detail/request.hpp"
#include "zkpp/types.hpp"

namespace zkpp::detail {

// The ZooKeeper session as a sans-io state machine: bytes and clock ticks in;
// frames to send, completions, watch events and state changes out. It knows
// nothing of sockets, so it is tested byte for byte.
class session {
 public:
  using clock = std::chrono::steady_clock;

  struct config {
    std::chrono::milliseconds session_timeout{10000};
    bool can_be_read_only = false;
    std::int32_t max_frame_size = 2 * 0xfffff;
    std::string chroot;
  };

  enum class phase { disconnected, handshaking, connected, expired, auth_failed, closed };

  explicit session(config c, metrics_registry* metrics = nullptr);

  // Called for every state change, on the caller's thread.
  std::function<void(session_state)> on_state;

  // A transport is up: queue the ConnectRequest (resuming our session, if any).
  void begin_handshake(clock::time_point now);

  // Bytes from the transport. An error means the transport must be dropped;
  // `phase()` then says whether to reconnect.
  std::error_code receive(std::string_view bytes, clock::time_point now);

  // The transport is gone (or never came up): in-flight and queued requests
  // fail with connection_loss, in order.
  void transport_lost();

  // Clock tick: queues a ping when idle; an error when the server has been
  // silent past the read timeout (or the handshake took too long).
  std::error_code tick(clock::time_point now);
  // When tick() next has something to do.
  clock::time_point next_tick() const;

  void submit(request r, clock::time_point now);

  // Completes request `id` with `why` now; a reply that arrives later is
  // discarded (and sets no watch). No effect when it already completed.
  void cancel(std::uint64_t id, std::error_code why);

  // After expiry: forget the old session so the next handshake opens a new
  // one (credentials are kept and presented again).
  void start_fresh();

  // Ends the session for good: everything outstanding fails with `why`.
  void shut_down(std::error_code why);

  // Frames waiting to be written; the transport moves them out.
  std::string& output() { return out_; }

  enum phase phase() const { return phase_; }
  std::int64_t session_id() const { return session_id_; }
  const std::string& password() const { return password_; }
  std::chrono::milliseconds negotiated_timeout() const { return negotiated_; }
  std::int64_t last_zxid() const { return last_zxid_; }
  std::size_t in_flight() const { return pending_.size(); }
  const watch_registry& watches() const { return watches_; }

 private:
  struct in_flight_request {
    std::int32_t xid = 0;
    request req;
  };

  std::error_code handle_frame(std::string_view frame);
  static std::int32_t frame_length(std::string_view bytes);
  std::error_code keep(std::string_view rest);
  std::error_code handle_connect_response(std::string_view frame);
  std::error_code handle_reply(std::string_view frame);
  void handle_notification(std::string_view body);
  void finish(in_flight_request& r, std::error_code ec, std::string_view body);
  void send(request r);
  void write_frame(std::int32_t xid, std::int32_t opcode, std::string_view body);
  void fail_all(std::error_code ec);
  void end_session(enum phase p, std::error_code ec, keeper_state told, session_state state);
  void set_state(session_state s);
  void expire_requests(clock::time_point now);
  void complete(request& r, std::error_code ec, std::string_view body);
  void complete_early(request& r, std::error_code ec);
  std::int32_t next_xid();

  config config_;
  metrics_registry* metrics_;
  enum phase phase_ = phase::disconnected;
  bool ever_connected_ = false;
  std::int64_t session_id_ = 0;
  std::string password_;
  std::chrono::milliseconds negotiated_{0};
  std::int64_t last_zxid_ = 0;
  std::int32_t xid_ = 0;

  std::deque<in_flight_request> pending_;  // sent, replies expected in this order
  std::deque<request> unsent_;             // submitted while no session was established
  std::deque<request> auth_waiting_;       // auth packets sent; replies carry xid -4
  std::vector<std::pair<std::string, std::string>> credentials_;  // re-sent on reconnect
  watch_registry watches_;

  std::string in_;  // a frame cut by the end of a read, until the rest arrives
  std::string out_;
  clock::time_point last_recv_{};
  clock::time_point last_send_{};
  clock::time_point handshake_started_{};
};

}  // namespace zkpp::detail
