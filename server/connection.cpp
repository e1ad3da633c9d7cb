#include "connection.hpp"

namespace zkpp::detail::server {

connection::connection(client_stream stream, connection_id id, connection_events& events)
    : stream_(std::move(stream)), id_(id), events_(events) {}

void connection::start() {
  stream_.set_no_delay();
  // A failed TLS handshake ends the connection like a failed read.
  stream_.async_handshake([self = shared_from_this()](std::error_code ec) {
    if (ec) return self->read_failed();
    self->read_length();
  });
}

void connection::read_length() {
  stream_.async_read(asio::buffer(length_),
                     [self = shared_from_this()](std::error_code ec, std::size_t) {
                       if (ec) return self->read_failed();
                       if (self->closing_) return self->read_length();
                       const auto& b = self->length_;
                       const auto word = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 |
                                         std::uint32_t{b[2]} << 8 | std::uint32_t{b[3]};
                       // A four-letter word is recognised only before the handshake.
                       if (std::exchange(self->first_, false)) {
                         if (auto reply = self->events_.first_word(self->id_, word)) {
                           self->send(std::move(*reply));
                           self->close_after_flush();
                           return self->read_length();
                         }
                       }
                       const auto length = static_cast<std::int32_t>(word);
                       // ZooKeeper drops the connection, without a reply, on a bad length.
                       if (!self->events_.frame_length_allowed(self->id_, length)) {
                         self->close_now();
                         return self->read_length();
                       }
                       self->read_payload(length);
                     });
}

void connection::read_payload(std::int32_t length) {
  payload_.resize(static_cast<std::size_t>(length));
  stream_.async_read(asio::buffer(payload_),
                     [self = shared_from_this()](std::error_code ec, std::size_t) {
                       if (ec) return self->read_failed();
                       if (!self->closing_) self->events_.frame(self->id_, self->payload_);
                       self->read_length();
                     });
}

void connection::send(std::string frame) {
  if (!stream_.is_open()) return;
  queue_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void connection::write_next() {
  if (queue_.empty()) {
    if (closing_) shut();
    return;
  }
  writing_ = true;
  stream_.async_write(asio::buffer(queue_.front()),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->queue_.pop_front();
                        if (ec) {
                          self->queue_.clear();
                          self->shut();
                        } else {
                          self->write_next();
                        }
                        if (self->read_done_ && !self->writing_ && !self->finished_) {
                          self->finished_ = true;
                          self->events_.closed(self->id_);
                        }
                      });
}

void connection::close_after_flush() {
  closing_ = true;
  if (!writing_) shut();
}

void connection::close_now() {
  closing_ = true;
  // The frame being written stays alive until its write completes.
  queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end());
  shut();
}

void connection::shut() {
  stream_.close();
}

void connection::read_failed() {
  read_done_ = true;
  shut();
  if (!writing_ && !finished_) {
    finished_ = true;
    events_.closed(id_);
  }
}

}  // namespace zkpp::detail::server
