#pragma once
// The receiver's side of the hand-over to the actor pipeline. Receivers (Asio coroutines in
// runtime/net, the file reader of `seerflow analyze`) know only this interface; the actor bridge
// in runtime/system implements it, so nothing under runtime/net includes CAF.
#include "runtime/model/raw_record.hpp"
#include "runtime/util/asio_fwd.hpp"

namespace seerflow::ingest {

class batch_sink {
 public:
  virtual ~batch_sink() = default;

  // Lossless transports (TCP, files, HTTP): suspends until the pipeline has room, then takes
  // the batch. While suspended the receiver reads nothing, so the sender is slowed, not dropped.
  // Returns false only when the pipeline is shutting down (the batch was not taken).
  virtual boost::asio::awaitable<bool> submit(model::raw_batch batch) = 0;

  // Lossy transports (UDP): takes the batch only if there is room right now. On false the batch
  // is untouched and the caller counts it as dropped with reason "backpressure".
  virtual bool try_submit(model::raw_batch& batch) = 0;
};

}  // namespace seerflow::ingest
