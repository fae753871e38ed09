#include "runtime/util/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "runtime/util/civil_time.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::log {

std::atomic<int>& threshold() {
  // SEERFLOW_LOG_LEVEL overrides the default for programs that never read a config (tests,
  // benchmarks); a config's runtime.log_level overrides it again.
  static std::atomic<int> value{[] {
    level lv = level::info;
    if (const char* env = std::getenv("SEERFLOW_LOG_LEVEL")) parse_level(env, lv);
    return static_cast<int>(lv);
  }()};
  return value;
}

bool parse_level(std::string_view s, level& out) {
  if (s == "error")
    out = level::error;
  else if (s == "warn" || s == "warning")
    out = level::warn;
  else if (s == "info")
    out = level::info;
  else if (s == "debug")
    out = level::debug;
  else
    return false;
  return true;
}

void write(level lv, std::string_view component, const std::string& text) {
  static std::mutex mtx;
  static constexpr const char* names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
  // Millisecond precision, always three digits, so that log lines align.
  const auto now = util::wall_now_ns();
  std::string ts = util::format_rfc3339(now - now % 1'000'000 + 1'000);  // forces a fraction
  ts.erase(ts.size() - 4);  // "...:46.123001Z" -> "...:46.123"
  ts += 'Z';
  std::lock_guard<std::mutex> guard(mtx);
  std::fprintf(stderr, "%s %s [%.*s] %s\n", ts.c_str(), names[static_cast<int>(lv)],
               static_cast<int>(component.size()), component.data(), text.c_str());
  std::fflush(stderr);
}

}  // namespace seerflow::log
