#pragma once
// The event as the Sigma engine sees it: a flat list of (field name, text value) entries that a
// caller fills from a parsed log event. Rules are compiled against a field_registry, which
// interns every field name a rule mentions, so that matching looks a field up by dense id.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/engine/case_fold.hpp"

namespace seerflow::rules {

// How the event delivered a value. Numbers and booleans still carry their text form ("404",
// "true") so string rules compare against the rendered value.
enum class value_kind : std::uint8_t { string, number, boolean, null };

inline constexpr std::uint32_t no_field = 0xFFFFFFFFu;

// Field names are case-sensitive (Sigma taxonomy names such as `CommandLine`). A dotted name is
// one flat name: callers flatten nested objects to `a.b` and pass each array element as a
// repeated entry of the same name (any element may match).
class field_registry {
 public:
  std::uint32_t intern(std::string_view name);
  std::uint32_t find(std::string_view name) const;  // no_field when unknown
  std::size_t size() const { return names_.size(); }
  const std::string& name(std::uint32_t id) const { return names_[id]; }

 private:
  struct sv_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
  };
  std::unordered_map<std::string, std::uint32_t, sv_hash, std::equal_to<>> ids_;
  std::vector<std::string> names_;
};

// Sigma's event-side field naming: names as the source spells them with every space removed
// (Windows Defender's `Threat Name` is `ThreatName`). Callers apply it when they build views.
std::string normalize_field_name(std::string_view name);

// Reused across events: clear() keeps the buffers. Values are copied in, and each value's case
// folding is computed once here, so every rule compares folded bytes afterwards.
class field_view {
 public:
  struct entry {
    std::uint32_t field;  // registry id or no_field (still searched by keywords)
    std::uint32_t next;   // next entry of the same field, or no_field
    value_kind kind;
    std::uint32_t name_off, name_len;
    std::uint32_t raw_off, raw_len;
    std::uint32_t fold_off, fold_len;
  };

  explicit field_view(const field_registry& registry) : registry_(&registry) {}

  void clear();
  void add(std::string_view name, std::string_view text, value_kind kind = value_kind::string) {
    add(registry_->find(name), name, text, kind);
  }
  // With the id already resolved (registry().find(name), cached by a caller whose events share
  // a schema), so the per-event cost has no hash lookup. `field` may be no_field.
  [[gnu::always_inline]] void add(std::uint32_t field, std::string_view name, std::string_view text,
                                  value_kind kind = value_kind::string) {
    // Inline (with the ASCII folding): the calls cost as much as the copies for short values.
    // One growth of the buffer for name, raw text and folded text.
    const std::size_t off = used_;
    const std::size_t need = name.size() + 2 * text.size();
    if (off + need > buf_.size()) grow(need);
    used_ += need;
    char* out = buf_.data() + off;
    copy_short(out, name.data(), name.size());
    fold_case_copy_inline(text, out + name.size(), out + name.size() + text.size());
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
    if (slot_gen_.size() <= field) grow_slots(field);
    if (slot_gen_[field] != gen_) {
      slot_gen_[field] = gen_;
      slot_first_[field] = idx;
    } else {
      entries_[slot_last_[field]].next = idx;
    }
    slot_last_[field] = idx;
  }
  void add_number(std::string_view name, double value);
  void add_bool(std::string_view name, bool value) {
    add(name, value ? "true" : "false", value_kind::boolean);
  }
  void add_null(std::string_view name) { add(name, {}, value_kind::null); }

  // First entry of a field (by registry id) or nullptr; follow entry::next for array values.
  const entry* first(std::uint32_t field) const {
    if (field >= slot_gen_.size() || slot_gen_[field] != gen_) return nullptr;
    return &entries_[slot_first_[field]];
  }
  const entry* next(const entry& e) const {
    return e.next == no_field ? nullptr : &entries_[e.next];
  }
  const std::vector<entry>& entries() const { return entries_; }
  std::string_view name(const entry& e) const { return {buf_.data() + e.name_off, e.name_len}; }
  std::string_view raw(const entry& e) const { return {buf_.data() + e.raw_off, e.raw_len}; }
  std::string_view folded(const entry& e) const { return {buf_.data() + e.fold_off, e.fold_len}; }
  const field_registry& registry() const { return *registry_; }

  // The folded text of every string value, joined by '\x1f', built on first use per event:
  // a keyword that is one literal is then one search instead of one per field.
  std::string_view keyword_text() const;
  static constexpr char keyword_separator = '\x1f';

 private:
  // Field names are short: two overlapping fixed-size moves instead of a call to memcpy.
  static void copy_short(char* out, const char* in, std::size_t n) {
    if (n >= 8 && n <= 16) {
      std::uint64_t a, b;
      std::memcpy(&a, in, 8);
      std::memcpy(&b, in + n - 8, 8);
      std::memcpy(out, &a, 8);
      std::memcpy(out + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
      std::uint32_t a, b;
      std::memcpy(&a, in, 4);
      std::memcpy(&b, in + n - 4, 4);
      std::memcpy(out, &a, 4);
      std::memcpy(out + n - 4, &b, 4);
    } else if (n > 0) {
      std::memcpy(out, in, n);
    }
  }
  void grow(std::size_t need);
  void grow_slots(std::uint32_t field);

  const field_registry* registry_;
  std::vector<entry> entries_;
  // Text arena: grown by hand because std::string::resize zero-fills and costs a call per add.
  std::vector<char> buf_;
  std::size_t used_ = 0;
  mutable std::vector<char> keyword_text_;  // grown by hand, like buf_
  mutable std::size_t keyword_text_len_ = 0;
  mutable bool keyword_text_ready_ = false;
  std::vector<std::uint32_t> slot_first_, slot_last_, slot_gen_;
  std::uint32_t gen_ = 1;
};

}  // namespace seerflow::rules
