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
#include "runtime/model/tail_offsets.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/net/warning_throttle.hpp"
#include "runtime/tail/commit_log.hpp"
#include "runtime/tail/tailer.hpp"

namespace seerflow::tail {

// The store's answer to "where had this tailer read to" (model/tail_offsets.hpp).
struct stored_offsets_answer {
  bool ok = false;  // false: the store could not be asked or could not answer
  std::vector<model::stored_tail_offset> rows;
  std::string error;
};
// Asks the store; calls its argument exactly once, from any thread.
using stored_offsets_loader = std::function<void(std::function<void(stored_offsets_answer)> done)>;

struct file_tail_options {
  tailer_options tail;
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds rescan_interval{5000};
  std::string checkpoint_path;  // required
  // Who this tailer is in the store's tail_offsets ("<node>/<receiver>"); each batch carries
  // its read positions under this name, and the store writes them with the batch's events.
  std::string tailer_name;
  // Reads this tailer's positions from the store at start (after the checkpoint file is ours),
  // to resume after batches committed since the checkpoint file was last written. Empty: no
  // store (the checkpoint file alone says where to resume).
  stored_offsets_loader load_stored;
  // Checkpoints are written when committed offsets moved, at most this often; 0 = after every
  // committed batch. With a store, how often does not matter for a kill -9 (its offsets commit
  // with the events); without one, a kill -9 re-reads what was committed since the last write.
  std::chrono::milliseconds checkpoint_interval{1000};
  std::size_t batch_size = 1024;
  model::input_format format = model::input_format::raw;
  // Batches handed over but not yet covered by a written checkpoint, at most; the reader waits
  // beyond it. Only useful without a store (load_stored empty): a kill -9 then re-reads at most
  // this many batches (1 with checkpoint_interval 0, at the price of one batch per pipeline
  // round trip). 0 = only the credit window limits them.
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
  boost::asio::awaitable<stored_offsets_answer> ask_store();
  void resume(checkpoint_map files, std::uint64_t file_seq, const stored_offsets_answer& stored);
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
  // Batch numbers (model::tail_offsets::seq) go on after the last one a previous run stored or
  // checkpointed: batch n of this run (the commit log's n) is seq_base_ + n.
  std::uint64_t seq_base_ = 0;
  std::uint64_t saved_seq_ = 0;  // the batch the checkpoint file on disk covers
  bool waiting_for_save_ = false;
  bool stopping_ = false;
  std::vector<std::function<void()>> on_stopped_;

  model::raw_batch pending_;
  batch_marks pending_marks_;
};

}  // namespace seerflow::tail
