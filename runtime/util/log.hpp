#pragma once
// The process log: one line per message on stderr, "<time> <LEVEL> [<component>] <text>".
// CAF's own logging is compiled out in Debian's build, and receivers run outside CAF, so every
// layer uses this.
#include <atomic>
#include <sstream>
#include <string>
#include <string_view>

namespace seerflow::log {

enum class level : int { error = 0, warn = 1, info = 2, debug = 3 };

std::atomic<int>& threshold();
bool parse_level(std::string_view s, level& out);
void write(level lv, std::string_view component, const std::string& text);

template <class... Ts>
void emit(level lv, std::string_view component, const Ts&... xs) {
  if (static_cast<int>(lv) > threshold().load(std::memory_order_relaxed)) return;
  std::ostringstream os;
  (os << ... << xs);
  write(lv, component, os.str());
}

template <class... Ts>
void error(std::string_view c, const Ts&... xs) {
  emit(level::error, c, xs...);
}
template <class... Ts>
void warn(std::string_view c, const Ts&... xs) {
  emit(level::warn, c, xs...);
}
template <class... Ts>
void info(std::string_view c, const Ts&... xs) {
  emit(level::info, c, xs...);
}
template <class... Ts>
void debug(std::string_view c, const Ts&... xs) {
  emit(level::debug, c, xs...);
}

}  // namespace seerflow::log
