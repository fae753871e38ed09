#pragma once
// `seerflow start --stdin`: a plain thread that reads standard input as lines and hands them to
// a source actor through its handoff, batch by batch as the input arrives (a pipe from
// `tail -F` streams; nothing waits for a full batch). Waits for credit like every lossless
// receiver; lines longer than max_line are cut so the decoders reject them as oversized.
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "runtime/model/raw_record.hpp"
#include "runtime/system/actor_handoff.hpp"

namespace seerflow::app {

class stdin_feeder {
 public:
  stdin_feeder(std::shared_ptr<system::actor_handoff> handoff, model::input_format format,
               std::size_t batch_size, std::size_t max_line, int fd = 0);
  // Stops reading (within 200 ms) and joins the thread; a partial line is dropped.
  ~stdin_feeder();
  stdin_feeder(const stdin_feeder&) = delete;
  stdin_feeder& operator=(const stdin_feeder&) = delete;

  std::size_t lines() const { return lines_.load(); }
  bool finished() const { return finished_.load(); }

 private:
  void run();

  std::shared_ptr<system::actor_handoff> handoff_;
  model::input_format format_;
  std::size_t batch_size_;
  std::size_t max_line_;
  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::atomic<std::size_t> lines_{0};
  std::thread thread_;
};

}  // namespace seerflow::app
