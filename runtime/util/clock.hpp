#pragma once
// Wall-clock and monotonic time in nanoseconds, the only units that cross module boundaries.
#include <chrono>
#include <cstdint>

namespace seerflow::util {

inline std::int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::int64_t mono_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace seerflow::util
