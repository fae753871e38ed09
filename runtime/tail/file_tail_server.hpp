#pragma once
// The file-tail receiver: an Asio coroutine that drives a tailer on a timer (poll, rescan,
// checkpoint), packs its records into raw_batches with peer "file:/path:LINE" and hands them to
// the sink with `co_await sink->submit()`: no batch enters the pipeline without a credit, and
// while none is free no file is read. Each batch carries a completion hook that its credit token
// runs when the pipeline lets go of it (after the store committed), which is what lets the
// checkpoint advance. All work runs on the server's own strand.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/model/raw_record.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/net/warning_throttle.hpp"
#include "runtime/tail/commit_log.hpp"
#include "runtime/tail/tailer.hpp"

namespace seerflow::tail {

struct file_tail_options {
  tailer_options tail;
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds rescan_interval{5000};
  std::string checkpoint_path;  // required
  // Checkpoints are written when committed offsets moved, at most this often; 0 = after every
  // committed batch (a kill -9 then re-reads at most what the last store commit held).
  std::chrono::milliseconds checkpoint_interval{1000};
  std::size_t batch_size = 1024;
  model::input_format format = model::input_format::raw;
  // Batches handed over but not yet covered by a written checkpoint, at most; the reader waits
  // beyond it. A kill -9 re-reads at most this many batches (1 with checkpoint_interval 0:
  // the strict bound, at the price of one batch per pipeline round trip). 0 = only the credit
  // window limits them.
  std::size_t max_unsaved_batches = 0;
  // At stop, how long to wait for batches in flight to be committed before the last checkpoint.
  std::chrono::milliseconds stop_wait{5000};
};

// Counters beyond receiver_counters, registered under receiver=<name>.
struct file_tail_metrics {
  file_tail_metrics(metrics::registry& reg, const std::string& receiver);
  metrics::gauge& files_open;
  metrics::counter& files_opened;
  metrics::counter& files_released;
  metrics::counter& rotations;
  metrics::counter& truncations;
  metrics::counter& inode_reused;
  metrics::counter& checkpoints_written;
  std::shared_ptr<net::reason_counters> files_refused;  // "outside_roots", "symlink_escape"
};

class file_tail_server : public std::enable_shared_from_this<file_tail_server> {
 public:
  file_tail_server(boost::asio::io_context& io, file_tail_options options,
                   std::shared_ptr<ingest::batch_sink> sink, net::receiver_counters& counters,
                   metrics::registry& registry);
  ~file_tail_server();
  file_tail_server(const file_tail_server&) = delete;
  file_tail_server& operator=(const file_tail_server&) = delete;

  // Starts the coroutine, which first waits until no other server of this process uses the
  // checkpoint file (a crashed predecessor writing its last checkpoint), then loads it (a
  // corrupt one is logged, kept as <path>.corrupt, and ignored). Call once.
  void start();

  // Callable from any thread. Stops reading, hands over what was read, waits (up to stop_wait)
  // for the batches in flight to be committed, writes the last checkpoint, then calls
  // on_stopped on an io_context thread.
  void stop(std::function<void()> on_stopped);

  const std::vector<std::string>& roots() const;

 private:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;
  static boost::asio::awaitable<void> run(std::shared_ptr<file_tail_server> self);
  static boost::asio::awaitable<void> checkpoint_loop(std::shared_ptr<file_tail_server> self);
  boost::asio::awaitable<bool> submit_pending();
  void write_checkpoint();
  void wake();
  void publish_stats();
  void notice(std::string_view kind, std::string_view reason, const std::string& msg);

  file_tail_options opt_;
  std::shared_ptr<ingest::batch_sink> sink_;
  net::receiver_counters counters_;
  file_tail_metrics metrics_;
  strand_type strand_;
  boost::asio::steady_timer timer_;             // the reader's polls and waits
  boost::asio::steady_timer checkpoint_timer_;  // the checkpointer's: commits cancel it
  net::warning_throttle warnings_;
  std::unique_ptr<tailer> tailer_;
  std::shared_ptr<commit_log> commits_;  // made by start(), with its wake-up hook
  tail_stats published_;
  bool running_ = false;
  int live_ = 0;  // checkpoint_loop running
  // Batches handed to the sink, taken from the commit log as completed, and covered by the
  // last written checkpoint (counts; taken and saved are prefixes of submitted).
  std::size_t submitted_ = 0;
  std::size_t taken_ = 0;
  std::size_t saved_ = 0;
  bool waiting_for_save_ = false;
  bool stopping_ = false;
  std::vector<std::function<void()>> on_stopped_;

  model::raw_batch pending_;
  batch_marks pending_marks_;
};

}  // namespace seerflow::tail
