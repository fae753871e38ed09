#pragma once
// An event-time watermark: the newest event time seen minus the allowed lateness. Anything older
// than the watermark is late: it is still applied where that makes sense, and counted.
#include <cstdint>
#include <limits>

namespace seerflow::correlate {

class watermark {
 public:
  explicit watermark(std::int64_t allowed_lateness_ns)
      : lateness_ns_(allowed_lateness_ns < 0 ? 0 : allowed_lateness_ns) {}

  // Takes event time `t` into account; returns true when `t` was behind the watermark.
  bool observe(std::int64_t t);

  bool empty() const { return empty_; }
  std::int64_t newest_ns() const { return newest_ns_; }
  // newest - lateness, saturated at the bottom of the range; the minimum before any event.
  std::int64_t value() const;
  std::int64_t allowed_lateness_ns() const { return lateness_ns_; }

  void restore(std::int64_t newest_ns, bool empty) {
    newest_ns_ = newest_ns;
    empty_ = empty;
  }

 private:
  std::int64_t lateness_ns_;
  std::int64_t newest_ns_ = 0;
  bool empty_ = true;
};

}  // namespace seerflow::correlate
