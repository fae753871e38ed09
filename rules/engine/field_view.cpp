#include "rules/engine/field_view.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "rules/engine/case_fold.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::rules {

std::size_t field_registry::sv_hash::operator()(std::string_view s) const noexcept {
  return static_cast<std::size_t>(util::fnv1a64(s));
}

std::string normalize_field_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name)
    if (c != ' ') out.push_back(c);
  return out;
}

std::uint32_t field_registry::intern(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

std::uint32_t field_registry::find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? no_field : it->second;
}

void field_view::clear() {
  entries_.clear();
  used_ = 0;
  keyword_text_ready_ = false;
  if (++gen_ == 0) {  // wrapped: stale stamps could collide, so reset them
    std::fill(slot_gen_.begin(), slot_gen_.end(), 0);
    gen_ = 1;
  }
}

void field_view::add(std::uint32_t field, std::string_view name, std::string_view text,
                     value_kind kind) {
  // One growth of the buffer for name, raw text and folded text.
  const std::size_t off = used_;
  const std::size_t need = name.size() + 2 * text.size();
  if (off + need > buf_.size()) buf_.resize(std::max(buf_.size() * 2, off + need + 1024));
  used_ += need;
  char* out = buf_.data() + off;
  if (!name.empty()) std::memcpy(out, name.data(), name.size());
  fold_case_copy(text, out + name.size(), out + name.size() + text.size());
  const auto idx = static_cast<std::uint32_t>(entries_.size());
  // Built in place: assembling the entry on the stack and copying it costs store-forwarding
  // stalls that showed up as most of the time of this function.
  entry& e = entries_.emplace_back();
  e.field = field;
  e.next = no_field;
  e.kind = kind;
  e.name_off = static_cast<std::uint32_t>(off);
  e.name_len = static_cast<std::uint32_t>(name.size());
  e.raw_off = static_cast<std::uint32_t>(off + name.size());
  e.raw_len = static_cast<std::uint32_t>(text.size());
  e.fold_off = e.raw_off + e.raw_len;
  e.fold_len = e.raw_len;
  if (field == no_field) return;
  if (slot_gen_.size() <= field) {
    const std::size_t n = std::max<std::size_t>(registry_->size(), field + 1);
    slot_gen_.resize(n, 0);
    slot_first_.resize(n, 0);
    slot_last_.resize(n, 0);
  }
  if (slot_gen_[field] != gen_) {
    slot_gen_[field] = gen_;
    slot_first_[field] = idx;
  } else {
    entries_[slot_last_[field]].next = idx;
  }
  slot_last_[field] = idx;
}

std::string_view field_view::keyword_text() const {
  if (!keyword_text_ready_) {
    keyword_text_.clear();
    for (const auto& e : entries_) {
      if (e.kind != value_kind::string) continue;
      keyword_text_.push_back(keyword_separator);
      keyword_text_.append(folded(e));
    }
    keyword_text_.push_back(keyword_separator);
    keyword_text_ready_ = true;
  }
  return keyword_text_;
}

void field_view::add_number(std::string_view name, double value) {
  char tmp[64];
  int n = 0;
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15) {
    n = std::snprintf(tmp, sizeof tmp, "%lld", static_cast<long long>(value));
  } else {
    auto r = std::to_chars(tmp, tmp + sizeof tmp, value);
    n = static_cast<int>(r.ptr - tmp);
  }
  add(name, std::string_view(tmp, static_cast<std::size_t>(n)), value_kind::number);
}

}  // namespace seerflow::rules
