#include "runtime/net/warning_throttle.hpp"

#include <cstdio>

#include "runtime/util/log.hpp"

namespace seerflow::net {

warning_throttle::warning_throttle(std::string prefix, std::chrono::nanoseconds interval,
                                   writer out)
    : prefix_(std::move(prefix)), interval_ns_(interval.count()), out_(std::move(out)) {}

void warning_throttle::note(std::string_view kind, std::string_view reason, std::uint64_t n,
                            std::string_view detail, std::int64_t now_ns) {
  entry* e = nullptr;
  for (auto& x : entries_)
    if (x.reason == reason && x.kind == kind) e = &x;
  if (!e) {
    entries_.push_back({std::string(kind), std::string(reason), 0, now_ns, 0, {}});
    e = &entries_.back();
    e->unreported += n;
    e->latest_detail.assign(detail);
    emit(*e, now_ns);
    return;
  }
  e->unreported += n;
  e->latest_detail.assign(detail);
  if (now_ns - e->last_line_ns >= interval_ns_) emit(*e, now_ns);
}

void warning_throttle::flush(std::int64_t now_ns) {
  for (auto& e : entries_)
    if (e.unreported > 0) emit(e, now_ns);
}

void warning_throttle::emit(entry& e, std::int64_t now_ns) {
  std::string line = prefix_;
  line += ": ";
  line += std::to_string(e.unreported);
  line += ' ';
  line += e.kind;
  line += " (";
  line += e.reason;
  line += ')';
  if (e.window_start_ns != now_ns) {
    char secs[32];
    std::snprintf(secs, sizeof secs, " in the last %.1f s",
                  static_cast<double>(now_ns - e.window_start_ns) / 1e9);
    line += secs;
  }
  if (!e.latest_detail.empty()) {
    line += "; latest: ";
    line += e.latest_detail;
  }
  if (out_)
    out_(line);
  else
    log::warn("net", line);
  e.unreported = 0;
  e.last_line_ns = now_ns;
  e.window_start_ns = now_ns;
}

}  // namespace seerflow::net
