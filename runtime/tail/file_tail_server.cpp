#include "runtime/tail/file_tail_server.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <mutex>
#include <set>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>

#include "runtime/tail/stored_offsets.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::tail {

namespace asio = boost::asio;

namespace {

// Checkpoint files whose server is running. A restarted receiver may start while its crashed
// predecessor still drains on an I/O thread; two readers of one checkpoint would read the same
// lines twice, so the newcomer waits for the file to be free.
std::mutex busy_mtx;
std::set<std::string> busy_checkpoints;

bool try_claim(const std::string& path) {
  std::lock_guard<std::mutex> guard(busy_mtx);
  return busy_checkpoints.insert(path).second;
}

void unclaim(const std::string& path) {
  std::lock_guard<std::mutex> guard(busy_mtx);
  busy_checkpoints.erase(path);
}

constexpr auto claim_poll = std::chrono::milliseconds(20);
constexpr auto claim_limit = std::chrono::seconds(10);
constexpr auto stop_poll = std::chrono::milliseconds(10);

metrics::labels receiver_label(const std::string& r) {
  return {{"receiver", r}};
}

std::chrono::nanoseconds ns(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(ms);
}

}  // namespace

file_tail_metrics::file_tail_metrics(metrics::registry& reg, const std::string& receiver)
    : files_open(reg.get_gauge("files_open", receiver_label(receiver))),
      files_opened(reg.get_counter("files_opened", receiver_label(receiver))),
      files_released(reg.get_counter("files_released", receiver_label(receiver))),
      rotations(reg.get_counter("file_rotations", receiver_label(receiver))),
      truncations(reg.get_counter("file_truncations", receiver_label(receiver))),
      inode_reused(reg.get_counter("file_inode_reused", receiver_label(receiver))),
      checkpoints_written(reg.get_counter("checkpoints_written", receiver_label(receiver))),
      files_refused(
          std::make_shared<net::reason_counters>(reg, "files_refused", receiver_label(receiver))) {}

file_tail_server::file_tail_server(asio::io_context& io, file_tail_options options,
                                   std::shared_ptr<ingest::batch_sink> sink,
                                   net::receiver_counters& counters, metrics::registry& registry)
    : opt_(std::move(options)),
      sink_(std::move(sink)),
      counters_(counters),
      metrics_(registry, counters.receiver()),
      strand_(asio::make_strand(io)),
      timer_(strand_),
      checkpoint_timer_(strand_),
      warnings_("file tail '" + counters.receiver() + "'"),
      commits_(nullptr) {
  if (opt_.batch_size == 0) opt_.batch_size = 1;
  pending_.format = opt_.format;
}

file_tail_server::~file_tail_server() = default;

const std::vector<std::string>& file_tail_server::roots() const {
  return tailer_->roots();
}

void file_tail_server::notice(std::string_view kind, std::string_view reason,
                              const std::string& msg) {
  const auto who = "file tail '" + counters_.receiver() + "': ";
  if (kind == "records rejected") {
    counters_.records_rejected().add(reason);
    warnings_.note(kind, reason, 1, msg, util::mono_now_ns());
  } else if (kind == "files refused") {
    metrics_.files_refused->add(reason);
    log::warn("tail", who, msg);
  } else if (kind == "files deferred") {
    warnings_.note(kind, reason, 1, msg, util::mono_now_ns());
  } else if (kind == "files not opened") {
    log::warn("tail", who, msg);
  } else {
    log::info("tail", who, msg);
  }
}

void file_tail_server::wake() {
  checkpoint_timer_.cancel();
}

void file_tail_server::start() {
  // A committed batch wakes the coroutine so the checkpoint follows the store closely. The hook
  // holds the server weakly: a batch may be committed after the server is gone.
  std::weak_ptr<file_tail_server> weak = weak_from_this();
  commits_ = std::make_shared<commit_log>([weak, strand = strand_] {
    asio::post(strand, [weak] {
      if (auto self = weak.lock()) self->wake();
    });
  });
  tailer_ = std::make_unique<tailer>(opt_.tail, checkpoint_map{},
                                     [this](std::string_view kind, std::string_view reason,
                                            const std::string& msg) { notice(kind, reason, msg); });
  running_ = true;
  auto self = shared_from_this();
  asio::co_spawn(
      strand_, [self]() { return run(self); }, asio::detached);
}

void file_tail_server::stop(std::function<void()> on_stopped) {
  asio::post(strand_, [self = shared_from_this(), cb = std::move(on_stopped)]() mutable {
    if (!self->running_) {
      if (cb) cb();
      return;
    }
    if (cb) self->on_stopped_.push_back(std::move(cb));
    self->stopping_ = true;
    self->timer_.cancel();
  });
}

void file_tail_server::publish_stats() {
  const auto& s = tailer_->stats();
  counters_.records_received.add(s.records - published_.records);
  counters_.bytes_received.add(s.bytes_read - published_.bytes_read);
  metrics_.files_opened.add(s.files_opened - published_.files_opened);
  metrics_.files_released.add(s.files_released - published_.files_released);
  metrics_.rotations.add(s.rotations - published_.rotations);
  metrics_.truncations.add(s.truncations - published_.truncations);
  metrics_.inode_reused.add(s.inode_reused - published_.inode_reused);
  metrics_.files_open.set(static_cast<std::int64_t>(tailer_->open_files()));
  published_ = s;
}

void file_tail_server::write_checkpoint() {
  const auto completed = commits_->take_completed();
  taken_ += completed.size();
  tailer_->commit(completed);
  try {
    save_checkpoints(opt_.checkpoint_path, tailer_->checkpoints(commits_->in_flight() == 0),
                     seq_base_ + taken_);
    metrics_.checkpoints_written.add(1);
    saved_ = taken_;
    saved_seq_ = seq_base_ + taken_;
    if (waiting_for_save_) timer_.cancel();
  } catch (const std::exception& e) {
    warnings_.note("checkpoint failures", "write", 1, e.what(), util::mono_now_ns());
  }
}

asio::awaitable<bool> file_tail_server::submit_pending() {
  model::raw_batch batch = std::move(pending_);
  pending_ = model::raw_batch{};
  pending_.format = opt_.format;
  // The read positions travel with the batch: the store commits them with its events.
  auto offsets = std::make_shared<model::tail_offsets>();
  offsets->tailer = opt_.tailer_name;
  offsets->saved_seq = saved_seq_;
  offsets->files.reserve(pending_marks_.size());
  for (const auto& m : pending_marks_)
    offsets->files.push_back(model::tail_file_offset{m.key.dev, m.key.ino, m.fingerprint,
                                                     m.fingerprint_len, m.end_offset, m.end_line});
  const auto seq = commits_->begin(std::move(pending_marks_));
  offsets->seq = seq_base_ + seq;
  batch.tail = std::move(offsets);
  ++submitted_;
  pending_marks_.clear();
  // Runs when the sinks have committed the batch's events: the checkpoint may then advance over
  // its records. Disarmed for a batch the sink refused.
  auto hook = std::make_shared<model::commit_hook>([log = commits_, seq] { log->done(seq); });
  batch.on_committed = hook;
  const auto n = batch.records.size();
  bool taken = false;
  std::string_view reason = "shutdown";
  try {
    taken = co_await sink_->submit(std::move(batch));
  } catch (const std::exception& e) {
    reason = "sink_error";
    log::error("tail", "file tail '", counters_.receiver(), "': sink failed: ", e.what());
  }
  if (taken) {
    counters_.batches_submitted.add(1);
  } else {
    hook->disarm();
    counters_.records_dropped().add(reason, n);
    warnings_.note("records dropped", reason, n,
                   "the pipeline refused a batch; it will be read again after a restart",
                   util::mono_now_ns());
  }
  co_return taken;
}

asio::awaitable<stored_offsets_answer> file_tail_server::ask_store() {
  struct waiter {
    std::mutex mtx;
    bool done = false;
    stored_offsets_answer answer;
  };
  auto w = std::make_shared<waiter>();
  std::weak_ptr<file_tail_server> weak = weak_from_this();
  opt_.load_stored([w, weak, strand = strand_](stored_offsets_answer a) {
    {
      std::lock_guard<std::mutex> guard(w->mtx);
      if (w->done) return;
      w->answer = std::move(a);
      w->done = true;
    }
    asio::post(strand, [weak] {
      if (auto self = weak.lock()) self->timer_.cancel();
    });
  });
  for (;;) {
    {
      std::lock_guard<std::mutex> guard(w->mtx);
      if (w->done) co_return std::move(w->answer);
    }
    if (stopping_) {
      stored_offsets_answer none;
      none.error = "stopped before the store answered";
      co_return none;
    }
    // The answer's post (or a stop) cancels the wait; both run on this strand after it began.
    timer_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void file_tail_server::resume(checkpoint_map files, std::uint64_t file_seq,
                              const stored_offsets_answer& stored) {
  const auto who = "file tail '" + counters_.receiver() + "': ";
  auto point = merge_stored_offsets(std::move(files), file_seq, stored.rows);
  seq_base_ = point.seq;
  saved_seq_ = file_seq;
  if (opt_.load_stored && !stored.ok) {
    // Batches committed since the checkpoint file was written will be read and stored again.
    // Their rows stay in the store with numbers above file_seq; numbering this run's batches
    // from the clock (microseconds) puts them above any of those, so the next checkpoint
    // makes the old rows obsolete instead of letting them look newer.
    seq_base_ = std::max<std::uint64_t>(
        seq_base_,
        static_cast<std::uint64_t>(std::max<std::int64_t>(util::wall_now_ns(), 0)) / 1000);
    log::warn("tail", who, "could not read the offsets the store committed (", stored.error,
              "); resuming from the checkpoint file, so lines stored since it was written may be "
              "stored twice");
  } else if (point.from_store > 0) {
    log::info("tail", who, "resuming ", point.from_store,
              " file(s) from the offsets the store committed after the checkpoint file");
  }
  tailer_->set_checkpoints(std::move(point.files));
}

asio::awaitable<void> file_tail_server::checkpoint_loop(std::shared_ptr<file_tail_server> self) {
  // Its own coroutine, because the reader may be suspended for a long time waiting for credit
  // while the store goes on committing: the checkpoint must follow the commits, not the reads.
  auto& s = *self;
  try {
    bool dirty = true;
    std::int64_t last = 0;
    const auto interval = ns(s.opt_.checkpoint_interval).count();
    while (!s.stopping_) {
      const auto completed = s.commits_->take_completed();
      if (!completed.empty()) {
        s.taken_ += completed.size();
        s.tailer_->commit(completed);
        dirty = true;
      }
      const auto now = util::mono_now_ns();
      if (dirty && now >= last + interval) {
        s.write_checkpoint();
        dirty = false;
        last = now;
      }
      if (s.commits_->has_completed()) continue;
      // Woken by a commit (wake()) or a stop, or when a dirty checkpoint falls due.
      if (dirty)
        s.checkpoint_timer_.expires_after(std::chrono::nanoseconds(
            std::max<std::int64_t>(last + interval - util::mono_now_ns(), 0)));
      else
        s.checkpoint_timer_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await s.checkpoint_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  } catch (const std::exception& e) {
    log::error("tail", "file tail '", s.counters_.receiver(), "': checkpointer failed: ", e.what());
  }
  --s.live_;
}

asio::awaitable<void> file_tail_server::run(std::shared_ptr<file_tail_server> self) {
  auto& s = *self;
  bool claimed = false;
  bool started_reading = false;
  try {
    const auto claim_deadline = std::chrono::steady_clock::now() + claim_limit;
    while (!s.stopping_ && !(claimed = try_claim(s.opt_.checkpoint_path))) {
      if (std::chrono::steady_clock::now() >= claim_deadline) {
        log::warn("tail", "file tail '", s.counters_.receiver(), "': checkpoint ",
                  s.opt_.checkpoint_path, " still in use by a previous receiver; going ahead");
        break;
      }
      s.timer_.expires_after(claim_poll);
      boost::system::error_code ec;
      co_await s.timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    // Read only now: a predecessor that was still stopping has written its last checkpoint.
    started_reading = !s.stopping_;
    checkpoint_map files;
    std::uint64_t file_seq = 0;
    try {
      files = load_checkpoints(s.opt_.checkpoint_path, &file_seq);
    } catch (const std::exception& e) {
      std::error_code ec;
      std::filesystem::rename(s.opt_.checkpoint_path, s.opt_.checkpoint_path + ".corrupt", ec);
      log::error("tail", "file tail '", s.counters_.receiver(), "': ", e.what(),
                 "; kept as .corrupt, starting without checkpoints");
    }
    stored_offsets_answer stored;
    if (s.opt_.load_stored && !s.stopping_) {
      auto ask = s.ask_store();  // named first: g++ 12 mishandles some awaited temporaries
      stored = co_await std::move(ask);
    }
    s.resume(std::move(files), file_seq, stored);
    const auto add = [&s](const tail_record& r) {
      model::raw_record rec;
      rec.data.assign(r.text);
      rec.arrival_ns = util::wall_now_ns();
      rec.peer.reserve(r.path->size() + 26);
      rec.peer.append("file:").append(*r.path).append(":").append(std::to_string(r.first_line));
      s.pending_.records.push_back(std::move(rec));
      // One mark per file per batch: where that file's last record in the batch ends.
      auto& marks = s.pending_marks_;
      if (!marks.empty() && marks.back().key == r.mark.key) {
        marks.back() = r.mark;
      } else {
        auto it = std::find_if(marks.begin(), marks.end(),
                               [&](const file_mark& m) { return m.key == r.mark.key; });
        if (it == marks.end())
          marks.push_back(r.mark);
        else
          *it = r.mark;
      }
    };

    std::int64_t next_rescan = 0;
    bool checkpointer_started = false;
    while (!s.stopping_) {
      auto now = util::mono_now_ns();
      if (now >= next_rescan) {
        s.tailer_->rescan(now);
        next_rescan = now + ns(s.opt_.rescan_interval).count();
      }
      if (!checkpointer_started) {
        // After the first scan, so that its first checkpoint records where the files start
        // (start_at: end) even before anything is committed: lines appended while the process
        // is down are then not skipped.
        checkpointer_started = true;
        ++s.live_;
        asio::co_spawn(
            s.strand_, [self]() { return checkpoint_loop(self); }, asio::detached);
      }
      const std::size_t want = s.opt_.batch_size - s.pending_.records.size();
      const std::size_t got = s.tailer_->poll(want, now, add);
      s.publish_stats();
      const bool idle = got < want;
      if (s.pending_.records.size() >= s.opt_.batch_size || (idle && !s.pending_.records.empty())) {
        // Bounds what a kill -9 can make us read twice: batches handed over but not yet
        // covered by a written checkpoint.
        while (s.opt_.max_unsaved_batches > 0 && !s.stopping_ &&
               s.submitted_ - s.saved_ >= s.opt_.max_unsaved_batches) {
          s.waiting_for_save_ = true;
          s.timer_.expires_at(asio::steady_timer::time_point::max());
          boost::system::error_code ec;
          co_await s.timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          s.waiting_for_save_ = false;
        }
        const bool taken = co_await s.submit_pending();
        if (!taken) break;
      }
      if (s.stopping_) break;
      if (idle) {
        now = util::mono_now_ns();
        auto wake = std::min(
            {now + ns(s.opt_.poll_interval).count(), s.tailer_->next_due_ns(), next_rescan});
        wake = std::max(wake, now);
        s.timer_.expires_after(std::chrono::nanoseconds(wake - now));
        boost::system::error_code ec;
        co_await s.timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      } else {
        // Files still hold data: let the other work of this io_context run between batches.
        co_await asio::post(s.strand_, asio::use_awaitable);
      }
    }
    if (!s.pending_.records.empty()) co_await s.submit_pending();
    // The last checkpoint should cover what was handed over: wait for the pipeline to commit it.
    const auto deadline = std::chrono::steady_clock::now() + s.opt_.stop_wait;
    while (s.commits_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      s.timer_.expires_after(stop_poll);
      boost::system::error_code ec;
      co_await s.timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    s.checkpoint_timer_.cancel();
    while (s.live_ > 0) {  // the checkpointer sees stopping_ and ends
      s.timer_.expires_after(stop_poll);
      boost::system::error_code ec;
      co_await s.timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    // Stopped before the checkpoint file was ours: a predecessor may still write it, and we
    // have nothing newer to say.
    if (claimed || started_reading) s.write_checkpoint();
    s.publish_stats();
  } catch (const std::exception& e) {
    log::error("tail", "file tail '", s.counters_.receiver(), "' failed: ", e.what());
  }
  if (claimed) unclaim(s.opt_.checkpoint_path);
  s.warnings_.flush(util::mono_now_ns());
  s.running_ = false;
  auto cbs = std::move(s.on_stopped_);
  s.on_stopped_.clear();
  asio::post(s.strand_, [self, cbs = std::move(cbs)] {
    for (const auto& cb : cbs) cb();
  });
}

}  // namespace seerflow::tail
