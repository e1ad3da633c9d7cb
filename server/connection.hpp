#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_stream.hpp"
#include "zkpp/detail/server/connection_info.hpp"
#include "zkpp/detail/server/shared_data_frame.hpp"

namespace zkpp::detail::server {

// What a connection reports to the server that owns it.
class connection_events {
 public:
  // The first 4 bytes of a connection: a four-letter word's reply, or
  // nullopt when they are a frame length.
  virtual std::optional<std::string> first_word(connection_id c, std::uint32_t word) = 0;
  // Whether a frame of `length` bytes (as sent, maybe negative) may be read;
  // if not, the connection is closed without a reply.
  virtual bool frame_length_allowed(connection_id c, std::int32_t length) = 0;
  virtual void frame(connection_id c, std::string_view payload) = 0;
  // Called once, when the socket is closed and no operation is pending.
  virtual void closed(connection_id c) = 0;

 protected:
  ~connection_events() = default;
};

// One client connection (plain or TLS): reads length-prefixed frames,
// writes queued frames in order, closes after a flush or at once. A
// pipelining client costs few system calls: every frame that one read
// brought in is handled, and the replies they produced leave in one write.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(client_stream stream, connection_id id, connection_events& events);

  void start();
  void send(std::string frame);
  void send(shared_data_frame frame);
  void close_after_flush();
  void close_now();

 private:
  void read_more();
  // Grows or shrinks the read buffer after a read of `last_read` bytes.
  void resize_read_buffer(std::size_t last_read);
  void take_frames();
  void write_next();
  void read_failed();
  void shut();

  client_stream stream_;
  connection_id id_;
  connection_events& events_;
  // Sized to the traffic: an idle connection keeps a small buffer, one that
  // fills it gets a bigger one (pipelined clients), one that stops doing so
  // gets a smaller one again.
  static constexpr std::size_t min_read = 1024;
  static constexpr std::size_t max_read = 64 * 1024;
  std::unique_ptr<char[]> read_buf_ = std::make_unique_for_overwrite<char[]>(min_read);
  std::size_t read_size_ = min_read;
  std::string in_;  // received bytes not yet handled
  static constexpr std::size_t small_frame = 1024;
  static constexpr std::size_t small_batch = 16 * 1024;

  // Bytes to write: owned, or shared node data that `owner` keeps alive.
  struct piece {
    std::string bytes;
    std::shared_ptr<const char[]> owner;
    std::string_view shared;
    asio::const_buffer buffer() const { return owner ? asio::buffer(shared) : asio::buffer(bytes); }
  };
  // Queues owned bytes: small ones join the last piece when it is small too.
  void queue(std::string bytes);

  std::vector<piece> pending_;  // to send after the write under way
  std::vector<piece> out_;      // the write under way
  std::vector<asio::const_buffer> out_buffers_;
  bool first_ = true;
  bool taking_ = false;  // handling frames: replies wait to leave together
  bool writing_ = false;
  bool closing_ = false;
  bool read_done_ = false;
  bool finished_ = false;
};

}  // namespace zkpp::detail::server
