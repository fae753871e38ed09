#pragma once
// Rate-limited warnings for per-record trouble (rejections, drops): a hostile or broken sender
// must not flood the log. At most one line per (kind, reason) per interval, carrying the number
// of occurrences since the previous line and the latest detail. Not thread-safe: one per strand.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace seerflow::net {

class warning_throttle {
 public:
  using writer = std::function<void(const std::string& line)>;

  // `prefix` starts every line (e.g. "syslog tcp 'edge'"); lines go to log::warn unless a
  // writer is given (tests).
  explicit warning_throttle(std::string prefix,
                            std::chrono::nanoseconds interval = std::chrono::seconds(10),
                            writer out = {});

  // Counts n occurrences of `kind` ("records rejected", "records dropped", ...) for `reason`.
  // `now_ns` is a monotonic time (util::mono_now_ns()).
  void note(std::string_view kind, std::string_view reason, std::uint64_t n,
            std::string_view detail, std::int64_t now_ns);

  // Writes a line for every reason with occurrences not yet reported (at shutdown).
  void flush(std::int64_t now_ns);

 private:
  struct entry {
    std::string kind;
    std::string reason;
    std::int64_t last_line_ns = 0;
    std::int64_t window_start_ns = 0;
    std::uint64_t unreported = 0;
    std::string latest_detail;
  };
  void emit(entry& e, std::int64_t now_ns);

  std::string prefix_;
  std::int64_t interval_ns_;
  writer out_;
  std::vector<entry> entries_;
};

}  // namespace seerflow::net
