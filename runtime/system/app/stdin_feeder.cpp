#include "runtime/system/app/stdin_feeder.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::app {

stdin_feeder::stdin_feeder(std::shared_ptr<system::actor_handoff> handoff,
                           model::input_format format, std::size_t batch_size, std::size_t max_line,
                           int fd)
    : handoff_(std::move(handoff)),
      format_(format),
      batch_size_(batch_size == 0 ? 1 : batch_size),
      max_line_(max_line == 0 ? 1 : max_line),
      fd_(fd),
      thread_([this] { run(); }) {}

stdin_feeder::~stdin_feeder() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void stdin_feeder::run() {
  model::raw_batch batch;
  batch.format = format_;
  std::string partial;
  bool skipping = false;
  std::size_t cut = 0;
  std::vector<char> buf(64 * 1024);
  const auto submit = [&]() -> bool {
    if (batch.records.empty()) return true;
    lines_ += batch.records.size();
    model::raw_batch out = std::move(batch);
    batch = model::raw_batch{};
    batch.format = format_;
    return handoff_->submit_blocking(std::move(out));
  };
  const auto add = [&](std::string line, std::int64_t now) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    batch.records.push_back({std::move(line), now, "stdin"});
  };
  bool ok = true;
  while (!stop_ && ok) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, 200);  // wakes to notice a stop
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      log::error("stdin", "poll failed: ", std::strerror(errno));
      break;
    }
    if (r == 0) continue;
    const auto n = ::read(fd_, buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    const auto now = util::wall_now_ns();
    if (n <= 0) {
      if (n < 0) log::error("stdin", "read failed: ", std::strerror(errno));
      if (!partial.empty() && !skipping) add(std::move(partial), now);  // last line, no newline
      ok = submit();
      break;
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      if (buf[i] != '\n') continue;
      if (!skipping) {
        partial.append(buf.data() + start, i - start);
        add(std::move(partial), now);
      }
      partial.clear();
      skipping = false;
      start = i + 1;
      if (batch.records.size() >= batch_size_ && !(ok = submit())) break;
    }
    if (!ok) break;
    if (!skipping) partial.append(buf.data() + start, static_cast<std::size_t>(n) - start);
    if (!skipping && partial.size() > max_line_) {
      // Cut one byte past the bound: the decoders reject it as oversized, never decode it cut.
      partial.resize(max_line_ + 1);
      add(std::move(partial), now);
      partial.clear();
      skipping = true;
      ++cut;
    }
    ok = submit();  // what arrived is handed over now: stdin is a stream, not a file
  }
  if (!ok) log::warn("stdin", "the pipeline refused input (shutting down); stopped reading");
  log::info("stdin", "end of input after ", lines_.load(), " lines",
            cut ? " (" + std::to_string(cut) + " cut as oversized)" : std::string());
  finished_ = true;
}

}  // namespace seerflow::app
