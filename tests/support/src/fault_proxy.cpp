#include "zkpp/test/fault_proxy.hpp"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include <array>
#include <atomic>
#include <future>
#include <list>
#include <stdexcept>
#include <thread>

namespace zkpp::test {

using asio::ip::tcp;

class fault_proxy::impl : public std::enable_shared_from_this<impl> {
 public:
  explicit impl(const std::string& upstream)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    // The first server of a connect string (an external ensemble's, say).
    const auto first = upstream.substr(0, upstream.find_first_of(",/"));
    const auto colon = first.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("upstream needs host:port");
    upstream_ = tcp::resolver{io_}.resolve(first.substr(0, colon), first.substr(colon + 1));
  }

  void start() {
    // Accepted sockets inherit it: a client can get at most this much (and
    // its own send buffer) ahead while the proxy is not reading.
    acceptor_.set_option(asio::socket_base::receive_buffer_size{64 * 1024});
    accept();
    thread_ = std::thread{[this] { io_.run(); }};
  }

  void stop() {
    run([this] {
      std::error_code ignored;
      acceptor_.close(ignored);
      for (auto& l : links_) l->close();
      links_.clear();
    });
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::uint64_t accepted() const { return accepted_.load(); }

  // Runs `f` on the proxy's thread and waits for it.
  template <class F>
  void run(F f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().get();
  }

  void set_stalled(bool on) {
    run([this, on] {
      stalled_ = on;
      if (on) return;
      not_reading_clients_ = false;
      for (auto& l : links_) l->release();
    });
  }
  void stop_reading_clients() {
    run([this] { not_reading_clients_ = true; });
  }
  void drop_all() {
    run([this] {
      for (auto& l : links_) l->close();
      links_.clear();
    });
  }
  void set_refusing(bool on) {
    run([this, on] { refusing_ = on; });
  }
  void cut_next() {
    run([this] { cut_next_ = true; });
  }

 private:
  // One client connection and its upstream twin.
  struct link : std::enable_shared_from_this<link> {
    link(impl& owner, tcp::socket client)
        : owner(owner), client(std::move(client)), server(owner.io_) {}

    // One direction of traffic: reads `from`, writes `to`, holds bytes while stalled.
    struct pump {
      tcp::socket* from;
      tcp::socket* to;
      std::array<char, 16 * 1024> buf{};
      std::string held;    // arrived while stalled
      std::string queued;  // waiting for the write in flight
      bool writing = false;
      bool close_after_write = false;
      bool from_server = false;
      bool paused = false;  // not reading: see stop_reading_clients()
    };

    void start() {
      up.from = &client;
      up.to = &server;
      down.from = &server;
      down.to = &client;
      down.from_server = true;
      asio::async_connect(server, owner.upstream_,
                          [self = shared_from_this()](std::error_code ec, const tcp::endpoint&) {
                            if (ec) return self->close();
                            self->read(self->up);
                            self->read(self->down);
                          });
    }

    void read(pump& p) {
      p.from->async_read_some(asio::buffer(p.buf),
                              [self = shared_from_this(), &p](std::error_code ec, std::size_t n) {
                                if (ec || self->closed) return self->close();
                                self->forward(p, std::string(p.buf.data(), n));
                              });
    }

    void forward(pump& p, std::string bytes) {
      if (p.from_server && owner.cut_next_) {
        owner.cut_next_ = false;
        bytes.resize(std::max<std::size_t>(1, bytes.size() / 2));
        p.queued += bytes;
        p.close_after_write = true;
        return flush(p);
      }
      (owner.stalled_ ? p.held : p.queued) += bytes;
      flush(p);
      if (!p.from_server && owner.not_reading_clients_)
        p.paused = true;
      else
        read(p);
    }

    // One write in flight per direction keeps the byte order.
    void flush(pump& p) {
      if (p.writing || p.queued.empty()) return;
      p.writing = true;
      auto data = std::make_shared<std::string>(std::move(p.queued));
      p.queued.clear();
      asio::async_write(*p.to, asio::buffer(*data),
                        [self = shared_from_this(), data, &p](std::error_code ec, std::size_t) {
                          p.writing = false;
                          if (ec || p.close_after_write) return self->close();
                          self->flush(p);
                        });
    }

    // After a stall: what was held goes out first, in order.
    void release() {
      for (pump* p : {&up, &down}) {
        p->queued = std::move(p->held) + p->queued;
        p->held.clear();
        flush(*p);
        if (p->paused && !closed) {
          p->paused = false;
          read(*p);
        }
      }
    }

    void close() {
      closed = true;
      std::error_code ignored;
      client.close(ignored);
      server.close(ignored);
    }

    impl& owner;
    tcp::socket client;
    tcp::socket server;
    pump up{}, down{};
    bool closed = false;
  };

  void accept() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket s) {
      if (ec) return;
      ++accepted_;
      if (refusing_) {
        std::error_code ignored;
        s.close(ignored);
      } else {
        auto l = std::make_shared<link>(*this, std::move(s));
        links_.push_back(l);
        l->start();
      }
      accept();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::resolver::results_type upstream_;
  std::thread thread_;
  std::list<std::shared_ptr<link>> links_;
  std::atomic<std::uint64_t> accepted_{0};
  bool stalled_ = false;
  bool not_reading_clients_ = false;
  bool refusing_ = false;
  bool cut_next_ = false;
};

fault_proxy::fault_proxy(const std::string& upstream) : impl_(std::make_shared<impl>(upstream)) {
  impl_->start();
}

fault_proxy::~fault_proxy() {
  impl_->stop();
}

std::string fault_proxy::connect_string() const {
  return "127.0.0.1:" + std::to_string(impl_->port());
}

void fault_proxy::pass() {
  impl_->set_stalled(false);
}
void fault_proxy::stall() {
  impl_->set_stalled(true);
}
void fault_proxy::stop_reading_clients() {
  impl_->stop_reading_clients();
}
void fault_proxy::drop() {
  impl_->drop_all();
}
void fault_proxy::refuse(bool on) {
  impl_->set_refusing(on);
}
void fault_proxy::cut_next_reply_mid_frame() {
  impl_->cut_next();
}
std::uint64_t fault_proxy::accepted() const {
  return impl_->accepted();
}

}  // namespace zkpp::test
