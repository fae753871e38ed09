#pragma once
// Asks an actor from an Asio coroutine without blocking an I/O thread: a short-lived actor sends
// the request and posts the reply (or nothing, on error or timeout) back to the coroutine's
// executor. The console API answers HTTP requests with it.
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

namespace seerflow::actors {

template <class Result, class... Ts>
boost::asio::awaitable<std::optional<Result>> ask(caf::actor_system& sys, caf::actor target,
                                                  std::chrono::milliseconds timeout, Ts... xs) {
  if (!target) co_return std::nullopt;
  // The initiation and the awaitable are named, not temporaries of the co_await expression:
  // g++ 12 destroys such temporaries twice when they own something (see credit_gate.cpp).
  auto start = [&sys, target, timeout, xs...](auto handler) {
    using handler_t = decltype(handler);
    auto h = std::make_shared<handler_t>(std::move(handler));
    auto ex = boost::asio::get_associated_executor(*h);
    sys.spawn([h, ex, target, timeout, xs...](caf::event_based_actor* self) {
      self->request(target, timeout, xs...)
          .then(
              [h, ex](const Result& r) {
                boost::asio::post(ex, [h, r]() mutable { (*h)(std::optional<Result>(r)); });
              },
              [h, ex](const caf::error&) {
                boost::asio::post(ex, [h]() mutable { (*h)(std::optional<Result>()); });
              });
    });
  };
  auto op = boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                        void(std::optional<Result>)>(std::move(start),
                                                                     boost::asio::use_awaitable);
  auto result = co_await std::move(op);
  co_return result;
}

}  // namespace seerflow::actors
