#pragma once

#include <asio/associated_executor.hpp>
#include <asio/dispatch.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/prefer.hpp>

#include <memory>
#include <tuple>
#include <utility>

namespace zkpp::recipes::detail {

// A completion handler of signature void(Args...), type-erased and copyable
// (so it fits in a std::function), that keeps the handler's executor from
// running out of work and completes the handler there, at most once.
template <class... Args>
class completion {
 public:
  completion() = default;

  template <class Handler, class Executor>
  completion(Handler&& handler, const Executor& fallback)
      : impl_(std::make_shared<model<std::decay_t<Handler>, Executor>>(
            std::forward<Handler>(handler), fallback)) {}

  explicit operator bool() const noexcept { return impl_ != nullptr; }

  void operator()(Args... args) {
    if (auto impl = std::exchange(impl_, nullptr)) impl->complete(std::move(args)...);
  }

 private:
  struct base {
    virtual ~base() = default;
    virtual void complete(Args... args) = 0;
  };

  template <class Handler, class Executor>
  struct model final : base {
    model(Handler h, const Executor& fallback)
        : handler(std::move(h)),
          work(asio::prefer(asio::get_associated_executor(handler, fallback),
                            asio::execution::outstanding_work.tracked)) {}

    void complete(Args... args) override {
      asio::dispatch(work,
                     [h = std::move(handler), a = std::make_tuple(std::move(args)...)]() mutable {
                       std::apply(std::move(h), std::move(a));
                     });
    }

    Handler handler;
    std::decay_t<decltype(asio::prefer(
        std::declval<asio::associated_executor_t<Handler, Executor>>(),
        asio::execution::outstanding_work.tracked))>
        work;
  };

  std::shared_ptr<base> impl_;
};

}  // namespace zkpp::recipes::detail
