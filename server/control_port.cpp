#include "control_port.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

#include <istream>
#include <string>
#include <thread>

#include "control_commands.hpp"

namespace zkpp::detail::server {
namespace {

// One control client: reads a line, answers it, reads the next.
class control_session : public std::enable_shared_from_this<control_session> {
 public:
  control_session(asio::ip::tcp::socket socket, zkpp::server& srv)
      : socket_(std::move(socket)), srv_(srv) {}

  void read_line() {
    asio::async_read_until(socket_, input_, '\n',
                           [self = shared_from_this()](std::error_code ec, std::size_t) {
                             if (ec) return;
                             std::istream in{&self->input_};
                             std::string line;
                             std::getline(in, line);
                             self->answer_ = run_control_command(self->srv_, line) + "\n";
                             self->write_answer();
                           });
  }

 private:
  void write_answer() {
    asio::async_write(socket_, asio::buffer(answer_),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        if (!ec) self->read_line();
                      });
  }

  asio::ip::tcp::socket socket_;
  zkpp::server& srv_;
  asio::streambuf input_;
  std::string answer_;
};

}  // namespace

struct control_port::impl {
  impl(zkpp::server& s, std::uint16_t port)
      : srv(s),
        acceptor(io, {asio::ip::address_v4::loopback(), port}),
        bound_port(acceptor.local_endpoint().port()) {}

  void accept() {
    acceptor.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<control_session>(std::move(socket), srv)->read_line();
      accept();
    });
  }

  zkpp::server& srv;
  asio::io_context io{1};
  asio::ip::tcp::acceptor acceptor;
  std::uint16_t bound_port;
  std::thread thread;
};

control_port::control_port(zkpp::server& srv, std::uint16_t port)
    : impl_(std::make_unique<impl>(srv, port)) {
  impl_->accept();
  impl_->thread = std::thread([i = impl_.get()] { i->io.run(); });
}

control_port::~control_port() {
  asio::post(impl_->io, [i = impl_.get()] {
    std::error_code ec;
    i->acceptor.close(ec);
    i->io.stop();
  });
  impl_->thread.join();
}

std::uint16_t control_port::port() const {
  return impl_->bound_port;
}

}  // namespace zkpp::detail::server
