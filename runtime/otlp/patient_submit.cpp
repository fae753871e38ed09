#include "runtime/otlp/patient_submit.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace seerflow::otlp {

boost::asio::awaitable<bool> submit_within(ingest::batch_sink& sink, model::raw_batch& batch,
                                           std::chrono::milliseconds patience) {
  if (sink.try_submit(batch)) co_return true;
  const auto deadline = std::chrono::steady_clock::now() + patience;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  auto step = std::chrono::milliseconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(step);
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (sink.try_submit(batch)) co_return true;
    step = std::min(step * 2, std::chrono::milliseconds(16));
  }
  co_return false;
}

}  // namespace seerflow::otlp
