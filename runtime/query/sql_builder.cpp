#include "runtime/query/sql_builder.hpp"

namespace seerflow::query {

void sql_builder::where(std::string_view fragment,
                        std::vector<std::variant<std::int64_t, std::string>> vals) {
  conditions_.emplace_back(fragment);
  for (auto& v : vals) values_.push_back(std::move(v));
}

void sql_builder::limit(std::size_t n) {
  limit_ = n;
}

std::string sql_builder::sql() const {
  std::string out = sql_;
  for (std::size_t i = 0; i < conditions_.size(); ++i) {
    out += i == 0 ? " WHERE (" : " AND (";
    out += conditions_[i];
    out += ')';
  }
  if (!tail_.empty()) {
    out += ' ';
    out += tail_;
  }
  if (limit_ > 0) out += " LIMIT " + std::to_string(limit_);
  return out;
}

void sql_builder::bind(store::statement& s) const {
  int i = 1;
  for (const auto& v : values_) {
    if (const auto* n = std::get_if<std::int64_t>(&v))
      s.bind_int64(i++, *n);
    else
      s.bind_text(i++, std::get<std::string>(v));
  }
}

}  // namespace seerflow::query
