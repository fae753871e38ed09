#pragma once
// "Which rules fire, how often, and when last?": the Sigma and correlation rule state the store
// keeps from the alerts it writes (runtime/store/migrations.cpp, version 4).
#include <cstdint>
#include <functional>
#include <string>

namespace seerflow::store {
class sqlite_db;
}  // namespace seerflow::store

namespace seerflow::query {

struct rule_filter {
  std::string kind;  // sigma or correlation; empty: both
  std::string rule;  // one rule id; empty: all
  std::size_t limit = 100;
};

struct rule_row {
  std::string rule, kind, title;
  bool enabled = true;
  std::int64_t match_count = 0, first_fired_ns = 0, last_fired_ns = 0;
};

// The most recently fired first.
std::size_t for_each_rule(const store::sqlite_db& db, const rule_filter& f,
                          const std::function<bool(const rule_row&)>& on_row);

}  // namespace seerflow::query
