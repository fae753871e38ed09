#pragma once
// Hands one decoded OTLP request to the pipeline as a single prepared batch, waiting a bounded
// time for room. OTLP clients keep and retry what a server refuses (gRPC RESOURCE_EXHAUSTED, HTTP
// 429), so a request the pipeline cannot take soon is refused whole rather than held: holding it
// past the client's deadline would make the client resend what we then accept too. One batch per
// request makes acceptance all or nothing.
#include <chrono>
#include <cstdint>
#include <string>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/util/asio_fwd.hpp"

namespace seerflow::otlp {

// True when the sink took the batch; false after `patience` without room (or when the pipeline
// is shutting down). Polls the sink's try_submit every few milliseconds while it waits, so no
// waiter is left behind in the sink when it gives up.
boost::asio::awaitable<bool> submit_within(ingest::batch_sink& sink, model::raw_batch& batch,
                                           std::chrono::milliseconds patience);

}  // namespace seerflow::otlp
