#include "zkpp/recipes/detail/node_io.hpp"

#include <memory>

#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes::detail {
namespace {

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? std::string{} : path.substr(0, slash);
}

struct creation : std::enable_shared_from_this<creation> {
  client& zk;
  std::string path, data;
  create_mode mode;
  bool retry_on_loss;  // false: the caller decides what a lost reply means
  std::function<void(std::error_code)> done;
  int attempt = 0;

  creation(client& c, std::string p, std::string d, create_mode m, bool retry,
           std::function<void(std::error_code)> f)
      : zk(c),
        path(std::move(p)),
        data(std::move(d)),
        mode(m),
        retry_on_loss(retry),
        done(std::move(f)) {}

  void later() {
    retry_later(zk, attempt++, [self = shared_from_this()] { self->run(); });
  }

  void run() {
    zk.async_create(path, data, {.mode = mode},
                    [self = shared_from_this()](std::error_code ec, const std::string&) {
                      if (retryable(ec) && self->retry_on_loss) return self->later();
                      const auto parent = parent_of(self->path);
                      if (ec != error::no_node || parent.empty()) return self->done(ec);
                      create_containers(self->zk, parent, [self](std::error_code ec) {
                        if (ec && !retryable(ec) && ec != error::no_node) return self->done(ec);
                        self->later();
                      });
                    });
  }
};

struct reading : std::enable_shared_from_this<reading> {
  client& zk;
  std::string path;
  std::function<void(std::error_code, std::optional<data_result>)> done;
  int attempt = 0;

  reading(client& c, std::string p,
          std::function<void(std::error_code, std::optional<data_result>)> f)
      : zk(c), path(std::move(p)), done(std::move(f)) {}

  void run() {
    zk.async_get_data(path, [self = shared_from_this()](std::error_code ec, data_result r) {
      if (retryable(ec)) return retry_later(self->zk, self->attempt++, [self] { self->run(); });
      if (ec == error::no_node) return self->done({}, std::nullopt);
      if (ec) return self->done(ec, std::nullopt);
      self->done({}, std::move(r));
    });
  }
};

struct writing : std::enable_shared_from_this<writing> {
  client& zk;
  std::string path, data;
  std::int32_t version;
  std::function<void(std::error_code)> done;
  int attempt = 0;

  writing(client& c, std::string p, std::string d, std::int32_t v,
          std::function<void(std::error_code)> f)
      : zk(c), path(std::move(p)), data(std::move(d)), version(v), done(std::move(f)) {}

  void run() {
    if (version == absent)
      return std::make_shared<creation>(
                 zk, path, data, create_mode::persistent, false,
                 [self = shared_from_this()](std::error_code ec) { self->finish(ec); })
          ->run();
    zk.async_set_data(path, data, version,
                      [self = shared_from_this()](std::error_code ec, stat) { self->finish(ec); });
  }

  void finish(std::error_code ec) {
    if (!retryable(ec)) return done(ec);
    // An unconditional write may simply be repeated.
    if (version == -1)
      return retry_later(zk, attempt++, [self = shared_from_this()] { self->run(); });
    retry_later(zk, attempt++, [self = shared_from_this(), ec] { self->look(ec); });
  }

  void look(std::error_code loss) {
    read_node(zk, path,
              [self = shared_from_this(), loss](std::error_code ec, std::optional<data_result> r) {
                if (ec) return self->done(ec);
                const bool untouched =
                    self->version == absent ? !r : r && r->stat.version == self->version;
                if (untouched) return self->run();
                self->done(loss);
              });
  }
};

}  // namespace

void create_with_parents(client& zk, const std::string& path, const std::string& data,
                         create_mode mode, std::function<void(std::error_code)> done) {
  std::make_shared<creation>(zk, path, data, mode, true, std::move(done))->run();
}

void read_node(client& zk, const std::string& path,
               std::function<void(std::error_code, std::optional<data_result>)> done) {
  std::make_shared<reading>(zk, path, std::move(done))->run();
}

void conditional_write(client& zk, const std::string& path, const std::string& data,
                       std::int32_t version, std::function<void(std::error_code)> done) {
  std::make_shared<writing>(zk, path, data, version, std::move(done))->run();
}

}  // namespace zkpp::recipes::detail
