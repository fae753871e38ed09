#pragma once
// Assembles a SELECT from fixed SQL fragments and bound values: user input only ever reaches
// SQLite as a bound parameter, never as SQL text.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/store/statement.hpp"

namespace seerflow::query {

class sql_builder {
 public:
  explicit sql_builder(std::string select) : sql_(std::move(select)) {}

  // Adds "AND <fragment>"; each '?' in the fragment takes the next value, in order.
  void where(std::string_view fragment, std::vector<std::variant<std::int64_t, std::string>> vals);
  // ORDER BY / LIMIT and anything else fixed that ends the statement.
  void tail(std::string_view fixed) { tail_ = fixed; }
  void limit(std::size_t n);

  std::string sql() const;
  void bind(store::statement& s) const;

 private:
  std::string sql_, tail_;
  std::vector<std::string> conditions_;
  std::vector<std::variant<std::int64_t, std::string>> values_;
  std::size_t limit_ = 0;
};

}  // namespace seerflow::query
