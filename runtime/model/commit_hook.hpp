#pragma once
// Tells a receiver that the records of one of its batches are stored. The receiver attaches a
// hook to its raw_batch; the source actor passes it on to its sinks with the decoded events; the
// hook runs when its last holder lets go: after the store committed the events (and the source
// is done with the batch). The file tailer advances its checkpoints with it, so a crash re-reads
// only what the store had not committed. Local by nature: never serialized.
#include <functional>
#include <memory>
#include <utility>

namespace seerflow::model {

class commit_hook {
 public:
  explicit commit_hook(std::function<void()> on_committed) : fn_(std::move(on_committed)) {}
  commit_hook(const commit_hook&) = delete;
  commit_hook& operator=(const commit_hook&) = delete;
  ~commit_hook() {
    if (fn_) fn_();
  }
  // The batch was not taken (the pipeline refused it at shutdown): nothing was stored.
  void disarm() { fn_ = nullptr; }

 private:
  std::function<void()> fn_;
};

}  // namespace seerflow::model
