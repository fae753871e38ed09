#include "runtime/tail/commit_log.hpp"

namespace seerflow::tail {

std::uint64_t commit_log::begin(batch_marks marks) {
  std::lock_guard<std::mutex> guard(mtx_);
  const auto seq = next_++;
  entries_.push_back(entry{seq, std::move(marks), false});
  return seq;
}

void commit_log::done(std::uint64_t seq) {
  {
    std::lock_guard<std::mutex> guard(mtx_);
    // Entries are in sequence order and few (the credit window): a linear search is enough.
    for (auto& e : entries_) {
      if (e.seq == seq) {
        e.done = true;
        break;
      }
    }
  }
  if (on_done_) on_done_();
}

std::vector<batch_marks> commit_log::take_completed() {
  std::lock_guard<std::mutex> guard(mtx_);
  std::vector<batch_marks> out;
  while (!entries_.empty() && entries_.front().done) {
    out.push_back(std::move(entries_.front().marks));
    entries_.pop_front();
  }
  return out;
}

bool commit_log::has_completed() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return !entries_.empty() && entries_.front().done;
}

std::size_t commit_log::in_flight() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return entries_.size();
}

}  // namespace seerflow::tail
