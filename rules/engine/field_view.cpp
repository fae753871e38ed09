#include "rules/engine/field_view.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

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

void field_view::grow(std::size_t need) {
  buf_.resize(std::max(buf_.size() * 2, used_ + need + 1024));
}

void field_view::grow_slots(std::uint32_t field) {
  const std::size_t n = std::max<std::size_t>(registry_->size(), field + 1);
  slot_gen_.resize(n, 0);
  slot_first_.resize(n, 0);
  slot_last_.resize(n, 0);
}

std::string_view field_view::keyword_text() const {
  if (!keyword_text_ready_) {
    // Sized once (at most every value plus a separator each), then filled by plain copies.
    const std::size_t cap = used_ + entries_.size() + 1;
    if (keyword_text_.size() < cap) keyword_text_.resize(std::max(cap, keyword_text_.size() * 2));
    char* out = keyword_text_.data();
    std::size_t n = 0;
    for (const auto& e : entries_) {
      if (e.kind != value_kind::string) continue;
      out[n++] = keyword_separator;
      std::memcpy(out + n, buf_.data() + e.fold_off, e.fold_len);
      n += e.fold_len;
    }
    out[n++] = keyword_separator;
    keyword_text_len_ = n;
    keyword_text_ready_ = true;
  }
  return {keyword_text_.data(), keyword_text_len_};
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
