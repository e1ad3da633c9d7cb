#include "connection.hpp"

namespace zkpp::detail::server {

connection::connection(client_stream stream, connection_id id, connection_events& events)
    : stream_(std::move(stream)), id_(id), events_(events) {}

void connection::start() {
  stream_.set_no_delay();
  // A failed TLS handshake ends the connection like a failed read.
  stream_.async_handshake([self = shared_from_this()](std::error_code ec) {
    if (ec) return self->read_failed();
    self->read_more();
  });
}

void connection::read_more() {
  stream_.async_read_some(asio::buffer(read_buf_.get(), read_size_),
                          [self = shared_from_this()](std::error_code ec, std::size_t n) {
                            if (ec) return self->read_failed();
                            // Once closing, input is read only to see the end of it.
                            if (!self->closing_) {
                              self->in_.append(self->read_buf_.get(), n);
                              self->take_frames();
                            }
                            self->resize_read_buffer(n);
                            self->read_more();
                          });
}

void connection::resize_read_buffer(std::size_t last_read) {
  std::size_t size = read_size_;
  if (last_read == read_size_ && read_size_ < max_read)
    size = read_size_ * 2;
  else if (last_read <= read_size_ / 8 && read_size_ > min_read)
    size = read_size_ / 2;
  if (size == read_size_) return;
  read_buf_ = std::make_unique_for_overwrite<char[]>(size);
  read_size_ = size;
}

void connection::take_frames() {
  taking_ = true;
  std::size_t at = 0;
  while (!closing_ && in_.size() - at >= 4) {
    const auto* b = reinterpret_cast<const unsigned char*>(in_.data() + at);
    const auto word = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 |
                      std::uint32_t{b[2]} << 8 | std::uint32_t{b[3]};
    // A four-letter word is recognised only before the handshake.
    if (std::exchange(first_, false)) {
      if (auto reply = events_.first_word(id_, word)) {
        send(std::move(*reply));
        close_after_flush();
        break;
      }
    }
    const auto length = static_cast<std::int32_t>(word);
    // ZooKeeper drops the connection, without a reply, on a bad length.
    if (!events_.frame_length_allowed(id_, length)) {
      close_now();
      break;
    }
    if (in_.size() - at - 4 < static_cast<std::size_t>(length)) break;
    events_.frame(id_, std::string_view{in_}.substr(at + 4, static_cast<std::size_t>(length)));
    at += 4 + static_cast<std::size_t>(length);
  }
  if (closing_)
    in_.clear();
  else
    in_.erase(0, at);
  taking_ = false;
  if (!writing_) write_next();
}

void connection::send(std::string frame) {
  if (!stream_.is_open()) return;
  queue(std::move(frame));
  if (!writing_ && !taking_) write_next();
}

void connection::send(shared_data_frame frame) {
  if (!stream_.is_open()) return;
  queue(std::move(frame.head));
  pending_.push_back({{}, std::move(frame.owner), frame.data});
  queue(std::move(frame.tail));
  if (!writing_ && !taking_) write_next();
}

void connection::queue(std::string bytes) {
  // Small frames are gathered into one buffer; a large one keeps its own, so
  // that its bytes are not copied again on the way to the socket.
  if (!pending_.empty() && !pending_.back().owner && bytes.size() < small_frame &&
      pending_.back().bytes.size() < small_batch)
    pending_.back().bytes += bytes;
  else
    pending_.push_back({std::move(bytes), nullptr, {}});
}

void connection::write_next() {
  if (pending_.empty()) {
    if (closing_) shut();
    return;
  }
  writing_ = true;
  out_.swap(pending_);
  pending_.clear();
  out_buffers_.clear();
  for (const auto& p : out_) out_buffers_.push_back(p.buffer());
  stream_.async_write(out_buffers_, [self = shared_from_this()](std::error_code ec, std::size_t) {
    self->writing_ = false;
    self->out_.clear();
    if (ec) {
      self->pending_.clear();
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
  if (!writing_ && !taking_) write_next();
}

void connection::close_now() {
  closing_ = true;
  // What is being written stays alive (in out_) until its write completes.
  pending_.clear();
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
