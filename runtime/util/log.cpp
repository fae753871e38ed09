#include "runtime/util/log.hpp"

#include <cstdio>
#include <mutex>

#include "runtime/util/civil_time.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::log {

std::atomic<int>& threshold() {
  static std::atomic<int> value{static_cast<int>(level::info)};
  return value;
}

bool parse_level(std::string_view s, level& out) {
  if (s == "error") out = level::error;
  else if (s == "warn" || s == "warning") out = level::warn;
  else if (s == "info") out = level::info;
  else if (s == "debug") out = level::debug;
  else return false;
  return true;
}

void write(level lv, std::string_view component, const std::string& text) {
  static std::mutex mtx;
  static constexpr const char* names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
  // Millisecond precision is enough for humans; trim the RFC 3339 fraction accordingly.
  const auto now = util::wall_now_ns();
  const std::string ts = util::format_rfc3339(now - now % 1'000'000);
  std::lock_guard<std::mutex> guard(mtx);
  std::fprintf(stderr, "%s %s [%.*s] %s\n", ts.c_str(), names[static_cast<int>(lv)],
               static_cast<int>(component.size()), component.data(), text.c_str());
  std::fflush(stderr);
}

}  // namespace seerflow::log
