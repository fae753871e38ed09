#pragma once
// The bridge from receivers (Asio coroutines, plain threads) to a source actor. It owns the
// source's credit gate and outlives the source actor's incarnations: batches handed over but not
// yet processed are retained and re-delivered, in order, to the next incarnation when a source
// actor crashes or is killed, so a restart loses nothing. A batch that crashed its source
// `max_attempts` times is quarantined (counted and logged) instead of crash-looping.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor.hpp>
#include <caf/message.hpp>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/ingest/credit_gate.hpp"
#include "runtime/metrics/registry.hpp"

namespace seerflow::system {

class actor_handoff : public ingest::batch_sink,
                      public std::enable_shared_from_this<actor_handoff> {
 public:
  static constexpr int max_attempts = 3;

  actor_handoff(std::string source, std::size_t credits, metrics::registry& metrics);

  boost::asio::awaitable<bool> submit(model::raw_batch batch) override;
  bool try_submit(model::raw_batch& batch) override;
  // For plain threads (the file reader of `seerflow analyze`, stdin): blocks until credit.
  bool submit_blocking(model::raw_batch batch);

  // A source actor incarnation announces itself; retained batches are re-sent to it in order.
  void attach(caf::actor source);
  // The source actor finished with batch `seq` (its results are on their way downstream).
  // `last_event_seq` is the source's event counter afterwards, so a new incarnation continues
  // numbering without gaps or repeats.
  void processed(std::uint64_t seq, std::uint64_t last_event_seq);
  std::uint64_t last_event_seq() const;

  const std::shared_ptr<ingest::credit_gate>& gate() const { return gate_; }
  const std::string& source() const { return source_; }
  std::size_t retained() const;

 private:
  struct pending {
    caf::message msg;
    bool delivered = false;  // sent to an incarnation (false while none is attached)
    int failures = 0;        // incarnations that ended while this was their oldest batch
  };
  void deliver(model::raw_batch batch);

  std::string source_;
  std::shared_ptr<ingest::credit_gate> gate_;
  metrics::counter& batches_in_;
  metrics::counter& redelivered_;
  metrics::reason_counter dropped_;
  mutable std::mutex mtx_;
  caf::actor current_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t last_event_seq_ = 0;
  std::map<std::uint64_t, pending> retained_;
};

}  // namespace seerflow::system
