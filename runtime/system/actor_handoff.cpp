#include "runtime/system/actor_handoff.hpp"

#include <caf/send.hpp>

#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::system {

actor_handoff::actor_handoff(std::string source, std::size_t credits, metrics::registry& metrics)
    : source_(std::move(source)),
      gate_(std::make_shared<ingest::credit_gate>(credits)),
      batches_in_(metrics.get_counter("handoff_batches", {{"source", source_}})),
      redelivered_(metrics.get_counter("handoff_redelivered_batches", {{"source", source_}})),
      dropped_(metrics, "records_dropped", {{"stage", "handoff"}, {"source", source_}}) {}

void actor_handoff::deliver(model::raw_batch batch) {
  auto token = ingest::make_credit_token(gate_);
  std::lock_guard<std::mutex> guard(mtx_);
  const auto seq = next_seq_++;
  auto msg =
      caf::make_message(messages::ingest_atom::value, seq, std::move(batch), std::move(token));
  batches_in_.add();
  retained_.emplace(seq, pending{msg, current_ != nullptr, 0});
  // Sent under the lock so that batches reach the actor in sequence order, also relative to a
  // concurrent attach() that re-sends retained ones.
  if (current_) caf::anon_send(current_, std::move(msg));
}

boost::asio::awaitable<bool> actor_handoff::submit(model::raw_batch batch) {
  // GCC 12 miscompiles `co_await` inside an if-condition: keep the await a statement.
  const bool granted = co_await gate_->acquire();
  if (!granted) co_return false;
  deliver(std::move(batch));
  co_return true;
}

bool actor_handoff::try_submit(model::raw_batch& batch) {
  if (!gate_->try_acquire()) return false;
  deliver(std::move(batch));
  return true;
}

bool actor_handoff::submit_blocking(model::raw_batch batch) {
  if (!gate_->acquire_blocking()) return false;
  deliver(std::move(batch));
  return true;
}

void actor_handoff::attach(caf::actor source) {
  std::lock_guard<std::mutex> guard(mtx_);
  current_ = std::move(source);
  // Batches are processed in order, so when an incarnation ends, the oldest batch it had been
  // given is the one it was working on: only that one is held responsible. A batch that ended
  // max_attempts incarnations is quarantined instead of being retried forever.
  bool judged = false;
  for (auto it = retained_.begin(); it != retained_.end();) {
    auto& p = it->second;
    if (!judged && p.delivered) {
      judged = true;
      if (++p.failures >= max_attempts) {
        const auto& batch = p.msg.get_as<model::raw_batch>(2);
        dropped_.add("poison_batch", batch.records.size());
        log::error("handoff", "source '", source_, "': batch ", it->first, " (",
                   batch.records.size(), " records) was being processed when the source actor ",
                   "ended ", p.failures, " times; quarantined and counted as dropped (reason ",
                   "poison_batch)");
        it = retained_.erase(it);  // the message's credit token returns the credit
        continue;
      }
    }
    p.delivered = true;
    redelivered_.add();
    caf::anon_send(current_, p.msg);
    ++it;
  }
}

void actor_handoff::processed(std::uint64_t seq, std::uint64_t last_event_seq) {
  std::lock_guard<std::mutex> guard(mtx_);
  retained_.erase(seq);
  if (last_event_seq > last_event_seq_) last_event_seq_ = last_event_seq;
}

std::uint64_t actor_handoff::last_event_seq() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return last_event_seq_;
}

std::size_t actor_handoff::retained() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return retained_.size();
}

}  // namespace seerflow::system
