#include "runtime/parse/drain.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#include <chrono>

#include <re2/re2.h>

#include "runtime/parse/token_masker.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::parse {
namespace {

constexpr std::string_view wildcard = "<*>";

// A fast 64-bit hash for tokens (mostly a few bytes long): whole 8-byte words, then the tail
// read with overlapping loads, so no byte-by-byte loop and no library call.
std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0x9E3779B97F4A7C15ULL) {
  constexpr std::uint64_t k = 0x9FB21C651E98DF25ULL;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t h = seed ^ (n * 0xff51afd7ed558ccdULL);
  const auto load64 = [](const char* q) {
    std::uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  const auto load32 = [](const char* q) {
    std::uint32_t v;
    std::memcpy(&v, q, 4);
    return static_cast<std::uint64_t>(v);
  };
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      h = (h ^ load64(p + i)) * k;
      h ^= h >> 29;
    }
    if (i < n) h = (h ^ load64(p + n - 8)) * k;  // overlapping tail
  } else if (n >= 4) {
    h = (h ^ (load32(p) | (load32(p + n - 4) << 32))) * k;
  } else if (n > 0) {
    const std::uint64_t v =
        static_cast<unsigned char>(p[0]) |
        (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
        (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
    h = (h ^ v) * k;
  }
  h ^= h >> 32;
  h *= 0xC2B2AE3D27D4EB4FULL;
  h ^= h >> 29;
  return h;
}

// Equality of two short byte strings without a library call (tokens are a few bytes long).
bool same_bytes(const char* a, const char* b, std::size_t n) {
  const auto load64 = [](const char* q) {
    std::uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  const auto load32 = [](const char* q) {
    std::uint32_t v;
    std::memcpy(&v, q, 4);
    return v;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      if (load64(a + i) != load64(b + i)) return false;
    }
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

std::uint64_t ticks() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

const std::uint64_t wildcard_hash = hash_bytes(wildcard);

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
constexpr bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}

// Where a generalised token keeps the text its values share: up to and including a delimiter
// ("org.apache.<*>", "(<*>)", "user=<*>").
constexpr bool is_cut(char c) {
  switch (c) {
    case ',':
    case '!':
    case ';':
    case ':':
    case '=':
    case '|':
    case '"':
    case '\'':
    case '[':
    case ']':
    case '(':
    case ')':
    case '{':
    case '}':
    case '.':
    case '-':
    case '+':
    case '@':
    case '#':
    case '$':
    case '%':
    case '&':
    case '/':
    case '<':
    case '>':
      return true;
    default:
      return false;
  }
}

enum class tok_kind : std::uint8_t { literal, wild, partial };

tok_kind kind_of(std::string_view shape) {
  if (shape == wildcard) return tok_kind::wild;
  return shape.find(wildcard) == std::string_view::npos ? tok_kind::literal : tok_kind::partial;
}

constexpr bool closes(char open, char close) {
  return (open == '(' && close == ')') || (open == '[' && close == ']') ||
         (open == '{' && close == '}') || (open == '<' && close == '>') ||
         (open == '\'' && close == '\'') || (open == '"' && close == '"');
}

// Matches a shape holding "<*>" parts against text; each "<*>" stands for one or more bytes
// (the shortest that lets the rest match). Fills `caps` with the text of each "<*>" when given.
// The work is bounded: pathological input simply fails to match.
bool glob_at(std::string_view pat, std::size_t p, std::string_view text, std::size_t t,
             std::vector<std::string_view>* caps, std::size_t& budget) {
  while (p < pat.size() && pat.compare(p, 3, wildcard) != 0) {
    if (t >= text.size() || pat[p] != text[t]) return false;
    ++p;
    ++t;
  }
  if (p == pat.size()) return t == text.size();
  const std::size_t after = p + 3;
  const std::size_t slot = caps ? caps->size() : 0;
  if (caps) caps->emplace_back();
  // An empty pair of brackets or quotes is an empty value: "(<*>)" matches "()".
  const bool may_be_empty = p > 0 && after < pat.size() && closes(pat[p - 1], pat[after]);
  for (std::size_t end = may_be_empty ? t : t + 1; end <= text.size(); ++end) {
    if (budget == 0) return false;
    --budget;
    // The literal after the star must start here; skip ends where it cannot.
    if (after < pat.size() && pat.compare(after, 3, wildcard) != 0 &&
        (end >= text.size() || text[end] != pat[after])) {
      continue;
    }
    if (glob_at(pat, after, text, end, caps, budget)) {
      if (caps) (*caps)[slot] = text.substr(t, end - t);
      return true;
    }
    if (caps) caps->resize(slot + 1);
  }
  if (caps) caps->resize(slot);
  return false;
}

bool glob_match(std::string_view pat, std::string_view text,
                std::vector<std::string_view>* caps = nullptr) {
  std::size_t budget = 4096;
  if (caps) caps->clear();
  return glob_at(pat, 0, text, 0, caps, budget);
}

struct msg_token {
  std::string_view text;
  std::uint32_t shape_off = 0, shape_len = 0;
  std::uint64_t hash = 0;
  tok_kind kind = tok_kind::literal;
  bool digit = false;
  date_part date = date_part::none;
};

// Size units written as their own token after a number ("16.0 KB,").
constexpr bool is_closing_punct(char c) {
  return c == ',' || c == ';' || c == '.' || c == ':' || c == ')' || c == ']' || c == '}';
}

bool is_size_unit(std::string_view unit) {
  while (!unit.empty() && is_closing_punct(unit.back())) unit.remove_suffix(1);
  static constexpr std::string_view units[] = {"B",   "KB",  "MB",  "GB",  "TB",  "PB", "kB",
                                               "KiB", "MiB", "GiB", "TiB", "PiB", "Kb", "Mb",
                                               "Gb",  "kb",  "mb",  "gb",  "K",   "M",  "G"};
  if (unit.empty() || unit.size() > 3) return false;
  for (auto u : units) {
    if (u == unit) return true;
  }
  return false;
}

struct tmpl_token {
  std::string shape;
  std::uint64_t hash = 0;
  tok_kind kind = tok_kind::literal;
  // The variable was learnt from several distinct words (not only from masks): it may absorb
  // free text when it ends the template.
  bool proven = false;
};

struct cluster {
  std::uint64_t id = 0;
  std::vector<tmpl_token> tokens;
  std::string text;
  std::uint64_t size = 0;
  std::uint32_t leaf = 0;
  std::uint64_t lru_prev = 0, lru_next = 0;  // neighbours in recency order (0 = none)
  std::vector<std::uint64_t> aliases;        // ids merged into this cluster
  std::size_t bytes = 0;                     // accounted footprint (see account())
};

struct node {
  std::uint32_t parent = 0;
  std::uint64_t key = 0;
  bool wild_child = false;
  std::vector<std::uint32_t> children;
  std::vector<std::uint64_t> clusters;  // leaves only
};

struct edge_hash {
  std::size_t operator()(const std::pair<std::uint32_t, std::uint64_t>& e) const {
    return static_cast<std::size_t>(e.second ^ (std::uint64_t{e.first} * 0x9E3779B97F4A7C15ULL));
  }
};

// How a template compares with the message at each position.
struct comparison {
  bool full = false;                // every position agrees
  std::uint32_t same = 0;           // positions equal (or variable on both sides)
  std::uint32_t params = 0;         // variable positions in the template
  std::vector<std::uint32_t> diff;  // positions where a constant disagrees
};

constexpr std::size_t evidence_variants = 3;  // distinct values before a word becomes a variable
constexpr std::size_t max_aliases = 64;

}  // namespace

struct drain_miner::state {
  drain_options opt;
  token_masker masker;
  std::string config_error;

  std::vector<node> nodes;  // nodes[0] is the root
  std::vector<std::uint32_t> free_nodes;
  std::unordered_map<std::pair<std::uint32_t, std::uint64_t>, std::uint32_t, edge_hash> edges;
  std::unordered_map<std::uint64_t, cluster> clusters;
  std::unordered_map<std::uint64_t, std::uint64_t> alias_of;  // merged id -> surviving id
  // Clusters by their first token, for variable-length matching.
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> by_first;
  std::uint64_t next_id = 1;
  std::uint64_t lru_head = 0, lru_tail = 0;  // most / least recently used
  std::size_t state_bytes = 0;               // sum of the clusters' accounted footprints

  // Per-call scratch.
  std::string shapes;
  std::vector<msg_token> toks;
  std::vector<std::uint32_t> leaves;    // where the message's template may be
  std::vector<std::uint32_t> siblings;  // where a template differing in a routed word may be
  std::vector<std::uint32_t> walk;      // tree walk stack
  std::vector<std::uint64_t> absorbed;
  bool may_merge_dates = false, may_merge_sizes = false;
  std::uint64_t signature = 0;  // of the current message's shapes

  // Memo of recent tokens and their shapes (direct-mapped, tokens up to 40 bytes): most tokens
  // of most messages are constant words or repeated values, and masking them again would be the
  // largest cost of a message. A pure function's memo: it never changes a result.
  struct token_memo_entry {
    static constexpr std::size_t max_text = 40;
    std::uint64_t hash = 0;  // of the text
    std::uint64_t shape_hash = 0;
    std::uint8_t length = 0;  // of the text
    std::uint8_t shape_length = 0;
    tok_kind kind = tok_kind::literal;
    bool digit = false, size_unit = false;
    date_part date = date_part::none;
    char text[max_text];
    char shape[max_text];
  };
  std::vector<token_memo_entry> token_memo = std::vector<token_memo_entry>(8192);

  // Memo of recent searches: message signature -> the cluster that fully matched it. Valid
  // while the clusters are unchanged (`epoch` counts every change that can alter a search), so
  // it never changes a result; it only skips the tree walk and the candidate comparisons.
  struct memo_entry {
    std::uint64_t signature = 0, cluster_id = 0, epoch = 0;
  };
  std::vector<memo_entry> memo = std::vector<memo_entry>(4096);
  std::uint64_t epoch = 1;
  std::array<bool, 256> delimiters{};
  drain_stage_ticks stage;

  // Custom masks (RE2), run over the whole message; their matches are variables even across
  // whitespace.
  std::vector<std::unique_ptr<re2::RE2>> regexes;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // per message, sorted, disjoint

  explicit state(drain_options o) : opt(std::move(o)), masker(opt.masks) {
    for (const auto& m : opt.masks) {
      if (m.kind != mask_kind::regex) continue;
      re2::RE2::Options ro;
      ro.set_log_errors(false);
      auto re = std::make_unique<re2::RE2>(m.pattern, ro);
      if (!re->ok()) {
        if (config_error.empty()) config_error = "mask " + m.pattern + ": " + re->error();
        continue;
      }
      regexes.push_back(std::move(re));
    }
    nodes.emplace_back();
    opt.depth = std::clamp(opt.depth, 2, 6);  // the leaf search follows at most 2^4 paths
    if (opt.max_children < 2) opt.max_children = 2;
    for (int c = 0; c <= 0x20; ++c) delimiters[static_cast<std::size_t>(c)] = true;
    for (const char c : opt.extra_delimiters) delimiters[static_cast<unsigned char>(c)] = true;
    if (opt.max_tokens < 1) opt.max_tokens = 1;
    if (opt.max_token_bytes < 8) opt.max_token_bytes = 8;
    if (opt.max_clusters < 1) opt.max_clusters = 1;
  }

  std::string_view shape_of(const msg_token& t) const {
    return std::string_view(shapes).substr(t.shape_off, t.shape_len);
  }

  // ---- tokenising -------------------------------------------------------------------------

  void push_token(std::string_view text) {
    msg_token t;
    t.text = text;
    t.shape_off = static_cast<std::uint32_t>(shapes.size());
    const std::uint64_t h = hash_bytes(text);
    token_memo_entry* memo_slot = nullptr;
    if (text.size() <= token_memo_entry::max_text) {
      memo_slot = &token_memo[h & (token_memo.size() - 1)];
      if (memo_slot->hash == h && memo_slot->length == text.size() &&
          same_bytes(memo_slot->text, text.data(), text.size())) {
        // A token seen before (most are constant words): its shape and facts are known.
        shapes.append(memo_slot->shape, memo_slot->shape_length);
        t.shape_len = memo_slot->shape_length;
        t.hash = memo_slot->shape_hash;
        t.kind = memo_slot->kind;
        t.digit = memo_slot->digit;
        t.date = memo_slot->date;
        note_token_facts(t, memo_slot->size_unit);
        toks.push_back(t);
        return;
      }
    }
    const std::uint64_t t0 = opt.measure_stages ? ticks() : 0;
    const auto info = text.size() > opt.max_token_bytes
                          ? masker.shape_truncated(text, opt.max_token_bytes, shapes)
                          : masker.shape(text, shapes);
    t.shape_len = static_cast<std::uint32_t>(shapes.size() - t.shape_off);
    t.kind = info.vars == 0     ? tok_kind::literal
             : t.shape_len == 3 ? tok_kind::wild
                                : tok_kind::partial;
    t.digit = info.digit;
    t.date = masker.classify_date_part(text);
    if (opt.measure_stages) stage.mask += ticks() - t0;
    t.hash = t.kind == tok_kind::literal ? h : hash_bytes(shape_of(t));  // literal: shape == text
    const bool unit = text.size() <= 6 && is_size_unit(text);
    if (memo_slot && t.shape_len <= token_memo_entry::max_text) {
      memo_slot->hash = h;
      memo_slot->shape_hash = t.hash;
      memo_slot->length = static_cast<std::uint8_t>(text.size());
      memo_slot->shape_length = static_cast<std::uint8_t>(t.shape_len);
      memo_slot->kind = t.kind;
      memo_slot->digit = t.digit;
      memo_slot->date = t.date;
      memo_slot->size_unit = unit;
      std::memcpy(memo_slot->text, text.data(), text.size());
      std::memcpy(memo_slot->shape, shapes.data() + t.shape_off, t.shape_len);
    }
    note_token_facts(t, unit);
    toks.push_back(t);
  }

  // A token holding matches of custom masks: those parts are variables, the rest is masked as
  // usual.
  void push_span_token(std::string_view msg, std::size_t b, std::size_t e) {
    msg_token t;
    t.text = msg.substr(b, e - b);
    t.shape_off = static_cast<std::uint32_t>(shapes.size());
    std::size_t at = b;
    for (const auto& [sb, se] : spans) {
      if (se <= b || sb >= e) continue;
      if (sb > at) masker.shape(msg.substr(at, sb - at), shapes);
      shapes += wildcard;
      at = std::max(at, se);
    }
    if (at < e) masker.shape(msg.substr(at, e - at), shapes);
    const auto info = masker.finish(shapes, t.shape_off);
    t.shape_len = static_cast<std::uint32_t>(shapes.size() - t.shape_off);
    t.kind = info.vars == 0     ? tok_kind::literal
             : t.shape_len == 3 ? tok_kind::wild
                                : tok_kind::partial;
    t.digit = info.digit;
    t.hash = hash_bytes(shape_of(t));
    toks.push_back(t);
  }

  // Whether the message may hold values written over several tokens (see merge_runs).
  void note_token_facts(const msg_token& t, bool size_unit) {
    // A date run needs an anchor: a day or month name, a date or a time.
    if (t.date == date_part::weekday || t.date == date_part::month || t.date == date_part::date ||
        t.date == date_part::time) {
      may_merge_dates = true;
    }
    if (size_unit && !toks.empty()) may_merge_sizes = true;
  }

  // End of the token starting at `j`. Without extra delimiters, eight bytes at a time: a byte
  // below 0x21 (space or a control character) ends a token.
  std::size_t token_end(std::string_view msg, std::size_t j) const {
    if (opt.extra_delimiters.empty()) {
      while (j + 8 <= msg.size()) {
        std::uint64_t x;
        std::memcpy(&x, msg.data() + j, 8);
        const std::uint64_t m = (x - 0x2121212121212121ULL) & ~x & 0x8080808080808080ULL;
        if (m) return j + static_cast<std::size_t>(__builtin_ctzll(m) >> 3);
        j += 8;
      }
    }
    while (j < msg.size() && !delimiters[static_cast<unsigned char>(msg[j])]) ++j;
    return j;
  }

  // Matches of the custom masks, merged into disjoint spans (bounded in number).
  void find_spans(std::string_view msg) {
    spans.clear();
    for (const auto& re : regexes) {
      std::size_t pos = 0;
      re2::StringPiece m;
      while (pos <= msg.size() && spans.size() < 1024 &&
             re->Match(re2::StringPiece(msg.data(), msg.size()), pos, msg.size(),
                       re2::RE2::UNANCHORED, &m, 1)) {
        const auto b = static_cast<std::size_t>(m.data() - msg.data());
        const std::size_t e = b + m.size();
        if (e > b) spans.emplace_back(b, e);
        pos = e > b ? e : b + 1;
      }
    }
    if (spans.size() < 2) return;
    std::sort(spans.begin(), spans.end());
    std::size_t w = 0;
    for (std::size_t k = 1; k < spans.size(); ++k) {
      if (spans[k].first <= spans[w].second) {
        spans[w].second = std::max(spans[w].second, spans[k].second);
      } else {
        spans[++w] = spans[k];
      }
    }
    spans.resize(w + 1);
  }

  // A token that opens a quote closed by a later token of the message ('some text here')
  // takes the whole quoted text: a quoted string is one value however many words it holds.
  std::size_t quoted_end(std::string_view msg, std::size_t i, std::size_t j) const {
    const char q = msg[i];
    if (q != '"' && q != '\'') return j;
    const auto closes = [&](std::size_t b, std::size_t e) {
      while (e > b && is_closing_punct(msg[e - 1])) --e;
      return e > b && msg[e - 1] == q;
    };
    if (j - i >= 2 && closes(i + 1, j)) return j;
    std::size_t k = j;
    for (int words = 0; words < 16 && k < msg.size(); ++words) {
      while (k < msg.size() && delimiters[static_cast<unsigned char>(msg[k])]) ++k;
      if (k >= msg.size() || k - i > 1024) break;
      const std::size_t e = token_end(msg, k);
      if (closes(k, e)) return e;
      k = e;
    }
    return j;
  }

  void tokenize(std::string_view msg) {
    shapes.clear();
    toks.clear();
    may_merge_dates = may_merge_sizes = false;
    if (!regexes.empty()) find_spans(msg);
    std::size_t next_span = 0;
    const auto is_delim = [this](char c) { return delimiters[static_cast<unsigned char>(c)]; };
    std::size_t i = 0;
    while (i < msg.size()) {
      while (i < msg.size() && is_delim(msg[i])) ++i;
      if (i >= msg.size()) break;
      std::size_t j = quoted_end(msg, i, token_end(msg, i));
      // A custom mask's match is never split, and glues to the characters around it.
      bool has_span = false;
      while (next_span < spans.size() && spans[next_span].first < j) {
        if (spans[next_span].second > i) {
          has_span = true;
          if (spans[next_span].second > j) j = token_end(msg, spans[next_span].second);
        }
        ++next_span;
      }
      if (toks.size() + 1 == opt.max_tokens) {
        // The tail beyond max_tokens is one variable: bounded templates for any input.
        std::size_t end = msg.size();
        while (end > i && is_delim(msg[end - 1])) --end;
        msg_token t;
        t.text = msg.substr(i, end - i);
        t.shape_off = static_cast<std::uint32_t>(shapes.size());
        shapes += wildcard;
        t.shape_len = 3;
        t.kind = tok_kind::wild;
        t.hash = wildcard_hash;
        toks.push_back(t);
        break;
      }
      if (has_span) {
        push_span_token(msg, i, j);
      } else {
        push_token(msg.substr(i, j - i));
      }
      i = j;
    }
    merge_runs(msg);
    signature = 0x9E3779B97F4A7C15ULL ^ toks.size();
    for (auto& t : toks) {
      signature = (signature ^ t.hash) * 0x9FB21C651E98DF25ULL;
      signature ^= signature >> 31;
    }
  }

  // Values written over several tokens become one token: dates ("Fri Jun 17 07:07:00 2005") and
  // sizes ("16.0 KB").
  void merge_runs(std::string_view msg) {
    const bool dates = may_merge_dates && masker.enabled(mask_kind::datetime);
    const bool sizes = may_merge_sizes && masker.enabled(mask_kind::size);
    if ((!dates && !sizes) || toks.size() < 2) return;
    std::size_t w = 0;
    for (std::size_t k = 0; k < toks.size();) {
      std::size_t end = dates ? date_run_end(k) : k;
      std::string_view trailing;
      if (end == k && sizes) end = size_run_end(k, trailing);
      if (end > k + 1) {
        msg_token t;
        const char* b = toks[k].text.data();
        const char* e = toks[end - 1].text.data() + toks[end - 1].text.size();
        t.text = msg.substr(static_cast<std::size_t>(b - msg.data()),
                            static_cast<std::size_t>(e - b) - trailing.size());
        t.shape_off = static_cast<std::uint32_t>(shapes.size());
        shapes += wildcard;
        shapes += trailing;
        t.shape_len = static_cast<std::uint32_t>(3 + trailing.size());
        t.kind = trailing.empty() ? tok_kind::wild : tok_kind::partial;
        t.hash = hash_bytes(shape_of(t));
        toks[w++] = t;
        k = end;
      } else {
        if (w != k) toks[w] = toks[k];
        ++w;
        ++k;
      }
    }
    toks.resize(w);
  }

  std::size_t date_run_end(std::size_t k) const {
    const auto part = [&](std::size_t i) {
      return i < toks.size() ? toks[i].date : date_part::none;
    };
    std::size_t i = k;
    bool anchored = false;
    auto p = part(i);
    if (p == date_part::weekday) p = part(++i);
    if (p == date_part::month && part(i + 1) == date_part::day) {
      i += 2;
      anchored = true;
      if (part(i) == date_part::year) ++i;
    } else if (p == date_part::day && part(i + 1) == date_part::month) {
      i += 2;
      anchored = true;
      if (part(i) == date_part::year) ++i;
    } else if (p == date_part::date) {
      ++i;
      anchored = true;
    }
    if (part(i) == date_part::time) {
      ++i;
      anchored = true;
      if (part(i) == date_part::zone) ++i;
      if (part(i) == date_part::year) ++i;
    }
    return anchored && i > k + 1 ? i : k;
  }

  // "<number> <unit>" where the unit is a size unit: one value (trailing punctuation kept).
  std::size_t size_run_end(std::size_t k, std::string_view& trailing) const {
    if (k + 1 >= toks.size() || shape_of(toks[k]) != wildcard) return k;
    const std::string_view num = toks[k].text;
    if (num.empty() ||
        !(is_digit(num[0]) || ((num[0] == '-' || num[0] == '+') && num.size() > 1))) {
      return k;
    }
    for (char c : num) {
      if (!(is_digit(c) || c == '.' || c == ',' || c == '-' || c == '+')) return k;
    }
    const std::string_view unit = toks[k + 1].text;
    if (!is_size_unit(unit)) return k;
    std::size_t cut = unit.size();
    while (cut > 0 && is_closing_punct(unit[cut - 1])) --cut;
    trailing = unit.substr(cut);
    return k + 2;
  }

  // ---- the tree ---------------------------------------------------------------------------

  // Tokens that hold a variable (or a digit, as Drain does) route through the "<*>" child, so
  // a template generalised at a routing position stays reachable for every value.
  std::uint64_t route_key_of(std::string_view shape, std::uint64_t hash) const {
    if (shape.find(wildcard) != std::string_view::npos) return wildcard_hash;
    if (opt.parametrize_numeric_tokens && std::any_of(shape.begin(), shape.end(), is_digit)) {
      return wildcard_hash;
    }
    return hash;
  }

  std::uint32_t child(std::uint32_t parent, std::uint64_t key) const {
    const auto it = edges.find({parent, key});
    return it == edges.end() ? 0 : it->second;
  }

  std::uint32_t add_child(std::uint32_t parent, std::uint64_t key) {
    std::uint32_t idx;
    if (!free_nodes.empty()) {
      idx = free_nodes.back();
      free_nodes.pop_back();
      nodes[idx] = node{};
    } else {
      nodes.emplace_back();
      idx = static_cast<std::uint32_t>(nodes.size() - 1);
    }
    nodes[idx].parent = parent;
    nodes[idx].key = key;
    edges[{parent, key}] = idx;
    nodes[parent].children.push_back(idx);
    if (key == wildcard_hash) nodes[parent].wild_child = true;
    return idx;
  }

  // Removes empty leaves and inner nodes left without children (bounded memory under churn).
  void prune(std::uint32_t n) {
    while (n != 0 && nodes[n].children.empty() && nodes[n].clusters.empty()) {
      const std::uint32_t parent = nodes[n].parent;
      edges.erase({parent, nodes[n].key});
      auto& siblings = nodes[parent].children;
      siblings.erase(std::find(siblings.begin(), siblings.end(), n));
      if (nodes[n].key == wildcard_hash) nodes[parent].wild_child = false;
      nodes[n] = node{};
      free_nodes.push_back(n);
      n = parent;
    }
  }

  static std::uint64_t length_key(std::size_t n) { return hash_bytes("#len", n); }

  std::size_t token_levels() const { return static_cast<std::size_t>(std::max(opt.depth - 2, 0)); }

  // Leaves a message can belong to: at each token level the child for its token and the "<*>"
  // child (Drain follows only one of them and so misses templates whose prefix was generalised).
  void collect_leaves() {
    leaves.clear();
    const std::uint32_t top = child(0, length_key(toks.size()));
    if (!top) return;
    const std::size_t levels = std::min(token_levels(), toks.size());
    std::uint32_t frontier[2][16];
    std::size_t count = 1;
    frontier[0][0] = top;
    int cur = 0;
    for (std::size_t d = 0; d < levels && count > 0; ++d) {
      std::size_t next_count = 0;
      const std::uint64_t key = route_key_of(shape_of(toks[d]), toks[d].hash);
      for (std::size_t f = 0; f < count; ++f) {
        const std::uint32_t n = frontier[cur][f];
        if (key != wildcard_hash) {
          if (const auto c = child(n, key); c && next_count < 16)
            frontier[1 - cur][next_count++] = c;
        }
        if (const auto c = child(n, wildcard_hash); c && next_count < 16) {
          frontier[1 - cur][next_count++] = c;
        }
      }
      count = next_count;
      cur = 1 - cur;
    }
    for (std::size_t f = 0; f < count; ++f) leaves.push_back(frontier[cur][f]);
  }

  // Leaves below the first-token nodes of the message: templates that differ from it in a
  // routed token other than the first. Drain never compares these; generalising a word there
  // ("User alice logged in" / "User bob logged in") needs them.
  void collect_sibling_leaves() {
    siblings.clear();
    const std::uint32_t top = child(0, length_key(toks.size()));
    if (!top || toks.empty() || token_levels() < 2 || toks.size() < 2) return;
    const std::uint64_t key = route_key_of(shape_of(toks[0]), toks[0].hash);
    std::uint32_t firsts[2];
    std::size_t nf = 0;
    if (key != wildcard_hash) {
      if (const auto c = child(top, key)) firsts[nf++] = c;
    }
    if (const auto c = child(top, wildcard_hash)) firsts[nf++] = c;
    auto& stack = walk;
    stack.clear();
    for (std::size_t f = 0; f < nf; ++f) {
      stack.push_back(firsts[f]);
      while (!stack.empty()) {
        const std::uint32_t n = stack.back();
        stack.pop_back();
        if (nodes[n].children.empty()) {
          if (std::find(leaves.begin(), leaves.end(), n) == leaves.end()) siblings.push_back(n);
        } else {
          for (auto it = nodes[n].children.rbegin(); it != nodes[n].children.rend(); ++it) {
            stack.push_back(*it);
          }
        }
      }
    }
  }

  // Drain's insertion: a token that holds a digit, or that would exceed max_children, shares
  // the "<*>" child.
  std::uint32_t insert_path(const cluster& c) {
    const std::uint64_t lk = length_key(c.tokens.size());
    std::uint32_t cur = child(0, lk);
    if (!cur) cur = add_child(0, lk);
    const std::size_t levels = std::min(token_levels(), c.tokens.size());
    const auto max_children = static_cast<std::size_t>(std::max(opt.max_children, 1));
    for (std::size_t d = 0; d < levels; ++d) {
      const auto& t = c.tokens[d];
      const std::uint64_t key = route_key_of(t.shape, t.hash);
      if (std::uint32_t next = child(cur, key)) {
        cur = next;
        continue;
      }
      if (key == wildcard_hash) {
        cur = add_child(cur, wildcard_hash);
        continue;
      }
      const node& n = nodes[cur];
      const std::size_t children = n.children.size();
      if (n.wild_child) {
        cur = children < max_children ? add_child(cur, key) : child(cur, wildcard_hash);
      } else if (children + 1 < max_children) {
        cur = add_child(cur, key);
      } else {
        cur = add_child(cur, wildcard_hash);
      }
    }
    return cur;
  }

  // ---- comparing --------------------------------------------------------------------------

  bool token_agrees(const tmpl_token& tt, const msg_token& mt) const {
    if (tt.kind == tok_kind::wild) return true;
    if (tt.hash == mt.hash && tt.shape == shape_of(mt)) return true;
    if (tt.kind == tok_kind::partial) {
      return glob_match(tt.shape, shape_of(mt));
    }
    return false;
  }

  void compare(const cluster& c, comparison& out) const {
    out.same = 0;
    out.params = 0;
    out.diff.clear();
    if (c.tokens.size() != toks.size()) {
      out.full = false;
      return;
    }
    for (std::size_t i = 0; i < toks.size(); ++i) {
      const auto& tt = c.tokens[i];
      const auto& mt = toks[i];
      if (tt.kind == tok_kind::wild) {
        ++out.params;
        if (mt.kind == tok_kind::wild) ++out.same;
        continue;
      }
      if (token_agrees(tt, mt)) {
        ++out.same;
        if (tt.kind == tok_kind::partial) ++out.params;
      } else {
        out.diff.push_back(static_cast<std::uint32_t>(i));
      }
    }
    out.full = out.diff.empty();
  }

  double similarity(const comparison& c) const {
    return toks.empty() ? 1.0 : static_cast<double>(c.same) / static_cast<double>(toks.size());
  }

  // Two different words that look like names in code rather than data are distinct constants,
  // whatever their number: states and event types in capitals (NEW/RUNNING), capitalised words
  // (Paused/Resumed, "Bad file descriptor"/"Permission denied"), device names (eth0/alt1) and
  // one- or two-letter symbols (x+/y+). Only masks make such words variables.
  static bool symbolic_pair(std::string_view a, std::string_view b) {
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre &&
           a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
      ++suf;
    }
    // Widen the differing parts to whole words: "SCREEN_ON"/"SCREEN_OFF" compare "ON"/"OFF".
    const auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; };
    while (pre > 0 && word(a[pre - 1])) --pre;
    while (suf > 0 && word(a[a.size() - suf])) --suf;
    const std::string_view da = a.substr(pre, a.size() - pre - suf);
    const std::string_view db = b.substr(pre, b.size() - pre - suf);
    if (da.empty() || db.empty()) return false;
    const auto caps = [](std::string_view s) {
      bool letter = false;
      for (char ch : s) {
        if (is_lower(ch)) return false;
        letter |= is_upper(ch);
      }
      return letter;
    };
    const auto capitalised = [](std::string_view s) { return is_upper(s[0]); };
    const auto device = [](std::string_view s) {
      std::size_t i = 0;
      while (i < s.size() && is_lower(s[i])) ++i;
      const std::size_t digits = s.size() - i;
      return i > 0 && digits >= 1 && digits <= 2 &&
             std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(), is_digit);
    };
    if (device(da) && device(db)) return true;
    // Codes carrying digits ("A8"/"B7") are identifiers, not names.
    const auto digit = [](std::string_view s) { return std::any_of(s.begin(), s.end(), is_digit); };
    if (digit(da) || digit(db)) return false;
    return (caps(da) && caps(db)) || (capitalised(da) && capitalised(db)) ||
           (da.size() <= 2 && db.size() <= 2);
  }

  static bool digits_only_difference(std::string_view a, std::string_view b) {
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre &&
           a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
      ++suf;
    }
    // Widen to the whole digit run: "19"/"21" differ in "19"/"21", not "9"/"1".
    while (pre > 0 && is_digit(a[pre - 1])) --pre;
    while (suf > 0 && is_digit(a[a.size() - suf])) --suf;
    const std::string_view da = a.substr(pre, a.size() - pre - suf);
    const std::string_view db = b.substr(pre, b.size() - pre - suf);
    return !da.empty() && !db.empty() && std::all_of(da.begin(), da.end(), is_digit) &&
           std::all_of(db.begin(), db.end(), is_digit);
  }

  // The token that covers both `a` and `b`: their shared text up to a delimiter on each side,
  // "<*>" in between.
  static std::string generalize(std::string_view a, std::string_view b) {
    if (a == b) return std::string(a);
    if (a == wildcard || b == wildcard) return std::string(wildcard);
    const std::size_t limit = std::min(a.size(), b.size());
    std::size_t pre = 0;
    while (pre < limit && a[pre] == b[pre]) ++pre;
    while (pre > 0 && !is_cut(a[pre - 1])) --pre;
    std::size_t suf = 0;
    while (suf < limit - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
    while (suf > 0 && !is_cut(a[a.size() - suf])) --suf;
    // Each side keeps at least one byte for the variable.
    while (pre + suf >= limit && suf > 0) --suf;
    while (pre + suf >= limit && pre > 0) --pre;
    std::string out;
    out.reserve(pre + 3 + suf);
    out.append(a.substr(0, pre));
    out.append(wildcard);
    out.append(a.substr(a.size() - suf));
    // "<*><*>" or "<*>.<*>" left by a prefix ending in a variable: one variable.
    for (std::size_t p = out.find(wildcard); p != std::string::npos;
         p = out.find(wildcard, p + 1)) {
      while (out.compare(p + 3, 3, wildcard) == 0 || out.compare(p + 3, 4, ".<*>") == 0) {
        out.erase(p + 3, out.compare(p + 3, 3, wildcard) == 0 ? 3 : 4);
      }
    }
    return out;
  }

  static void set_token(tmpl_token& t, std::string shape) {
    t.shape = std::move(shape);
    t.hash = hash_bytes(t.shape);
    t.kind = kind_of(t.shape);
  }

  static void render(cluster& c) {
    c.text.clear();
    for (std::size_t i = 0; i < c.tokens.size(); ++i) {
      if (i) c.text += ' ';
      c.text += c.tokens[i].shape;
    }
  }

  // ---- clusters ---------------------------------------------------------------------------

  cluster* find(std::uint64_t id) {
    const auto it = clusters.find(id);
    return it == clusters.end() ? nullptr : &it->second;
  }

  std::uint64_t first_key(const cluster& c) const {
    return c.tokens.empty() || c.tokens[0].kind != tok_kind::literal ? 0 : c.tokens[0].hash;
  }

  void lru_unlink(cluster& c) {
    if (c.lru_prev)
      find(c.lru_prev)->lru_next = c.lru_next;
    else
      lru_head = c.lru_next;
    if (c.lru_next)
      find(c.lru_next)->lru_prev = c.lru_prev;
    else
      lru_tail = c.lru_prev;
    c.lru_prev = c.lru_next = 0;
  }

  void lru_push_front(cluster& c) {
    c.lru_prev = 0;
    c.lru_next = lru_head;
    if (lru_head) find(lru_head)->lru_prev = c.id;
    lru_head = c.id;
    if (!lru_tail) lru_tail = c.id;
  }

  void touch(cluster& c) {
    if (lru_head == c.id) return;
    lru_unlink(c);
    lru_push_front(c);
  }

  static void erase_id(std::vector<std::uint64_t>& v, std::uint64_t id) {
    const auto it = std::find(v.begin(), v.end(), id);
    if (it != v.end()) v.erase(it);
  }

  // Takes a cluster out of every index (tree leaf, first-token index, recency list).
  void detach(cluster& c) {
    ++epoch;
    auto& leaf = nodes[c.leaf].clusters;
    erase_id(leaf, c.id);
    prune(c.leaf);
    if (const std::uint64_t fk = first_key(c)) {
      auto it = by_first.find(fk);
      if (it != by_first.end()) {
        erase_id(it->second, c.id);
        if (it->second.empty()) by_first.erase(it);
      }
    }
    lru_unlink(c);
  }

  void attach(cluster& c) {
    ++epoch;
    c.leaf = insert_path(c);
    nodes[c.leaf].clusters.push_back(c.id);
    if (const std::uint64_t fk = first_key(c)) by_first[fk].push_back(c.id);
    lru_push_front(c);
  }

  // The first token changed: the first-token index follows.
  void reindex_first(cluster& c, std::uint64_t old_key) {
    if (old_key) {
      const auto it = by_first.find(old_key);
      if (it != by_first.end()) {
        erase_id(it->second, c.id);
        if (it->second.empty()) by_first.erase(it);
      }
    }
    if (const std::uint64_t fk = first_key(c)) by_first[fk].push_back(c.id);
  }

  // A routed token changed: the cluster moves to the leaf its template now routes to.
  void reroute(cluster& c) {
    ++epoch;
    auto& leaf = nodes[c.leaf].clusters;
    erase_id(leaf, c.id);
    const std::uint32_t old_leaf = c.leaf;
    c.leaf = insert_path(c);
    nodes[c.leaf].clusters.push_back(c.id);
    if (old_leaf != c.leaf) prune(old_leaf);
  }

  // What a cluster costs: its template (tokens and text), its aliases, and a share of the
  // indexes (map node, tree path, first-token index) that exist because of it. Computed from
  // sizes only, so that a restored miner counts exactly as the original did.
  static std::size_t footprint(const cluster& c) {
    std::size_t b = sizeof(cluster) + 160 + c.text.size() + c.tokens.size() * sizeof(tmpl_token) +
                    c.aliases.size() * 56;
    for (const auto& t : c.tokens) b += t.shape.size() > 15 ? t.shape.size() + 1 : 0;
    return b;
  }

  void account(cluster& c) {
    state_bytes -= c.bytes;
    c.bytes = footprint(c);
    state_bytes += c.bytes;
  }

  void forget(cluster& c) {
    state_bytes -= c.bytes;
    for (const auto a : c.aliases) alias_of.erase(a);
    clusters.erase(c.id);
  }

  // Least recently used clusters go while there are too many or they hold too much; the one
  // just used always stays.
  void evict_if_needed() {
    while ((clusters.size() > opt.max_clusters || state_bytes > opt.max_state_bytes) &&
           clusters.size() > 1 && lru_tail) {
      cluster& victim = *find(lru_tail);
      detach(victim);
      forget(victim);
    }
  }

  // `gone` joins `into`: its id becomes an alias, its messages count for `into`.
  void absorb(cluster& into, cluster& gone) {
    detach(gone);
    into.size += gone.size;
    const auto add_alias = [&](std::uint64_t id) {
      alias_of[id] = into.id;
      into.aliases.push_back(id);
      if (into.aliases.size() > max_aliases) {
        alias_of.erase(into.aliases.front());
        into.aliases.erase(into.aliases.begin());
      }
    };
    for (const auto a : gone.aliases) add_alias(a);
    add_alias(gone.id);
    absorbed.push_back(gone.id);
    gone.aliases.clear();  // now held by `into`
    forget(gone);
    account(into);
  }

  // ---- variable-length templates ----------------------------------------------------------

  // Does template `t` (shorter) cover the token sequence `seq` when its variables stand for
  // several tokens? A variable may take extra tokens that are themselves variables (lists of
  // ids, numbers, addresses); a learnt variable that ends the template takes any tail (free
  // text after "message=" or "environment:"). `spans` receives [begin, end) per template token.
  template <class Seq>
  bool covers(const cluster& t, const Seq& seq,
              std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans) const {
    const std::size_t m = t.tokens.size(), n = seq.size();
    if (m == 0 || m >= n) return false;
    const auto extendable = [&](std::size_t ti, std::size_t si) {
      const auto& tt = t.tokens[ti];
      if (seq.kind(si) == tok_kind::wild) return tt.kind != tok_kind::literal;
      return ti + 1 == m && tt.proven;
    };
    const auto ends_with_var = [&](const tmpl_token& tt) {
      return tt.kind == tok_kind::wild || (tt.kind == tok_kind::partial && tt.shape.size() >= 3 &&
                                           tt.shape.compare(tt.shape.size() - 3, 3, wildcard) == 0);
    };
    // Greedy alignment with backtracking over the last variable that may grow.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> local(m);
    std::size_t ti = 0, si = 0;
    std::size_t star_t = SIZE_MAX;
    std::size_t budget = 8 * (m + n);
    while (si < n) {
      if (--budget == 0) return covers_repeated(t, seq, spans);
      if (ti < m && seq.agrees(t.tokens[ti], si)) {
        local[ti] = {static_cast<std::uint32_t>(si), static_cast<std::uint32_t>(si + 1)};
        if (ends_with_var(t.tokens[ti])) {
          star_t = ti;
        }
        ++ti;
        ++si;
        continue;
      }
      if (star_t != SIZE_MAX) {
        // Grow the last variable by one token, if that token may join it.
        const std::size_t next = local[star_t].second;
        if (next >= n || !extendable(star_t, next)) return covers_repeated(t, seq, spans);
        local[star_t].second = static_cast<std::uint32_t>(next + 1);
        ti = star_t + 1;
        si = next + 1;
        continue;
      }
      return covers_repeated(t, seq, spans);
    }
    if (ti != m) return covers_repeated(t, seq, spans);
    if (spans) *spans = std::move(local);
    return true;
  }

  // A list of structured items ("node-1 0x1f <ok> node-2 0x3f <ok> ..."): the message repeats a
  // run of up to four template tokens, holding a variable, more times than the template does.
  template <class Seq>
  bool covers_repeated(const cluster& t, const Seq& seq,
                       std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans) const {
    const std::size_t m = t.tokens.size(), n = seq.size();
    for (std::size_t p = 1; p <= 4 && p <= m; ++p) {
      if ((n - m) % p != 0) continue;
      const std::size_t extra = (n - m) / p;
      for (std::size_t i = 0; i + p <= m; ++i) {
        bool has_var = false;
        for (std::size_t u = 0; u < p; ++u) has_var |= t.tokens[i + u].kind != tok_kind::literal;
        if (!has_var) continue;
        // Template position of message token j.
        const auto at = [&](std::size_t j) -> std::size_t {
          if (j < i + p) return j;
          if (j < i + p * (extra + 1)) return i + (j - i) % p;
          return j - p * extra;
        };
        // Extra repetitions must carry values where the unit has variables: a "<*>" repeated
        // over words would swallow anything.
        bool ok = true;
        for (std::size_t j = 0; j < n && ok; ++j) {
          const auto& tt = t.tokens[at(j)];
          ok = seq.agrees(tt, j);
          if (ok && j >= i + p && j < i + p * (extra + 1) && tt.kind != tok_kind::literal) {
            ok = seq.kind(j) != tok_kind::literal;
          }
        }
        if (!ok) continue;
        if (spans) {
          spans->assign(m, {0, 0});
          for (std::size_t k = 0; k < m; ++k) {
            const std::size_t j = k < i + p ? k : k + p * extra;
            (*spans)[k] = {static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(j + 1)};
          }
          // The repetitions go to the unit's last variable.
          std::size_t last_var = i;
          for (std::size_t u = 0; u < p; ++u) {
            if (t.tokens[i + u].kind != tok_kind::literal) last_var = i + u;
          }
          (*spans)[last_var].second = static_cast<std::uint32_t>(i + p * (extra + 1));
        }
        return true;
      }
    }
    return false;
  }

  struct msg_seq {
    const state* s;
    std::size_t size() const { return s->toks.size(); }
    tok_kind kind(std::size_t i) const { return s->toks[i].kind; }
    bool agrees(const tmpl_token& tt, std::size_t i) const {
      return s->token_agrees(tt, s->toks[i]);
    }
  };

  struct tmpl_seq {
    const cluster* c;
    std::size_t size() const { return c->tokens.size(); }
    tok_kind kind(std::size_t i) const { return c->tokens[i].kind; }
    bool agrees(const tmpl_token& tt, std::size_t i) const {
      const auto& x = c->tokens[i];
      if (tt.kind == tok_kind::wild) return true;
      if (tt.hash == x.hash && tt.shape == x.shape) return true;
      return tt.kind == tok_kind::partial && glob_match(tt.shape, x.shape);
    }
  };

  cluster* find_covering(std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans) {
    if (toks.empty() || toks[0].kind != tok_kind::literal) return nullptr;
    const auto it = by_first.find(toks[0].hash);
    if (it == by_first.end()) return nullptr;
    cluster* best = nullptr;
    for (const auto id : it->second) {
      cluster* c = find(id);
      if (!c || c->tokens.size() >= toks.size()) continue;
      if (best && c->tokens.size() <= best->tokens.size()) continue;  // the longest cover wins
      if (covers(*c, msg_seq{this}, spans)) best = c;
    }
    if (best && spans) covers(*best, msg_seq{this}, spans);
    return best;
  }

  // After `c` was created or generalised: longer clusters it now covers join it.
  void absorb_covered(cluster& c) {
    const std::uint64_t fk = first_key(c);
    if (!fk) return;
    const auto it = by_first.find(fk);
    if (it == by_first.end()) return;
    std::vector<std::uint64_t> covered;
    for (const auto id : it->second) {
      const cluster* x = find(id);
      if (x && x->id != c.id && x->tokens.size() > c.tokens.size() &&
          covers(c, tmpl_seq{x}, nullptr)) {
        covered.push_back(id);
      }
    }
    for (const auto id : covered) absorb(c, *find(id));
  }

  // After `c` was created or generalised: clusters of the same length that it covers (their
  // every token agrees with c's) join it, e.g. "( )" when "(<*>)" appears.
  void absorb_subsumed(cluster& c) {
    std::vector<std::uint64_t> covered;
    for (std::size_t li = 0; li < leaves.size() + siblings.size(); ++li) {
      const auto leaf = li < leaves.size() ? leaves[li] : siblings[li - leaves.size()];
      for (const auto id : nodes[leaf].clusters) {
        const cluster* x = find(id);
        if (!x || x->id == c.id || x->tokens.size() != c.tokens.size()) continue;
        bool all = true;
        for (std::size_t i = 0; i < c.tokens.size() && all; ++i) {
          const auto& t = c.tokens[i];
          const auto& o = x->tokens[i];
          // A variable from a mask does not swallow a differing constant ("****" beside
          // numbers stays apart); a learnt pattern such as "(<*>)" covers "()".
          all = (t.hash == o.hash && t.shape == o.shape) ||
                (t.kind == tok_kind::partial && o.kind != tok_kind::wild &&
                 glob_match(t.shape, o.shape));
        }
        if (all) covered.push_back(id);
      }
    }
    for (const auto id : covered) absorb(c, *find(id));
  }

  // ---- learning ---------------------------------------------------------------------------

  // Clusters of the candidate leaves other than `c` that agree with it outside `diff`: other
  // values seen at the same positions.
  void variants(const cluster& c, const std::vector<std::uint32_t>& diff,
                std::vector<std::uint64_t>& out) {
    out.clear();
    for (std::size_t li = 0; li < leaves.size() + siblings.size(); ++li) {
      const auto leaf = li < leaves.size() ? leaves[li] : siblings[li - leaves.size()];
      for (const auto id : nodes[leaf].clusters) {
        if (id == c.id) continue;
        const cluster* x = find(id);
        if (!x || x->tokens.size() != c.tokens.size()) continue;
        bool ok = true;
        std::size_t d = 0;
        for (std::size_t i = 0; i < c.tokens.size() && ok; ++i) {
          if (d < diff.size() && diff[d] == i) {
            ++d;
            continue;
          }
          const auto& a = c.tokens[i];
          const auto& b = x->tokens[i];
          ok = a.kind == tok_kind::wild || b.kind == tok_kind::wild ||
               (a.hash == b.hash && a.shape == b.shape);
        }
        if (ok) out.push_back(id);
      }
    }
  }

  // Tries to generalise `c` so that it covers the message; true when done.
  bool try_generalize(cluster& c, const comparison& cmp) {
    // Tokens that differ only in digits ("D3"/"D4", "node7"/"node12") are numbered names: a
    // variable at once. Any other difference needs evidence: enough distinct values.
    bool all_masked = true;
    for (const auto i : cmp.diff) {
      const auto& tt = c.tokens[i];
      const auto& mt = toks[i];
      if (digits_only_difference(tt.shape, shape_of(mt)) ||
          digits_only_difference(tt.shape, mt.text)) {
        continue;
      }
      all_masked = false;
      if (mt.kind != tok_kind::wild && symbolic_pair(tt.shape, shape_of(mt))) return false;
    }
    std::vector<std::uint64_t> group;
    if (!all_masked) {
      variants(c, cmp.diff, group);
      if (group.size() + 2 < evidence_variants) return false;
    }
    // Where the cluster is indexed now: the tree path and the first-token index follow its
    // template, which is about to change.
    const std::uint64_t old_first = first_key(c);
    std::array<std::uint64_t, 4> old_route{};
    const std::size_t routed = std::min(token_levels(), c.tokens.size());
    for (std::size_t d = 0; d < routed; ++d) {
      old_route[d] = route_key_of(c.tokens[d].shape, c.tokens[d].hash);
    }
    for (const auto i : cmp.diff) {
      auto& tt = c.tokens[i];
      std::string g = generalize(tt.shape, shape_of(toks[i]));
      for (const auto id : group) g = generalize(g, find(id)->tokens[i].shape);
      set_token(tt, std::move(g));
      tt.proven = tt.proven || !all_masked;
    }
    for (const auto id : group) {
      cluster& x = *find(id);
      for (std::size_t i = 0; i < c.tokens.size(); ++i) {
        if (x.tokens[i].kind == tok_kind::wild && c.tokens[i].kind != tok_kind::wild) {
          set_token(c.tokens[i], std::string(wildcard));
        }
      }
      absorb(c, x);
    }
    render(c);
    ++epoch;
    bool moved = false;
    for (std::size_t d = 0; d < routed; ++d) {
      moved |= old_route[d] != route_key_of(c.tokens[d].shape, c.tokens[d].hash);
    }
    if (moved) reroute(c);
    if (first_key(c) != old_first) reindex_first(c, old_first);
    account(c);
    absorb_subsumed(c);
    absorb_covered(c);
    return true;
  }

  void extract_params(const cluster& c,
                      const std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans,
                      std::string_view msg, std::vector<std::string>& params) const {
    params.clear();
    std::vector<std::string_view> caps;
    for (std::size_t i = 0; i < c.tokens.size(); ++i) {
      const auto& tt = c.tokens[i];
      if (tt.kind == tok_kind::literal) continue;
      std::string_view text;
      if (spans) {
        const auto [b, e] = (*spans)[i];
        const char* start = toks[b].text.data();
        const char* stop = toks[e - 1].text.data() + toks[e - 1].text.size();
        text = msg.substr(static_cast<std::size_t>(start - msg.data()),
                          static_cast<std::size_t>(stop - start));
      } else {
        text = toks[i].text;
      }
      if (tt.kind == tok_kind::wild) {
        params.emplace_back(text);
      } else if (glob_match(tt.shape, text, &caps)) {
        for (auto cap : caps) params.emplace_back(cap);
      } else {
        // The value's text does not follow the pattern (it matched through its shape): the
        // token's text stands for its first variable, so there is still one value per "<*>".
        std::size_t vars = 0;
        for (std::size_t p = tt.shape.find(wildcard); p != std::string::npos;
             p = tt.shape.find(wildcard, p + 3)) {
          ++vars;
        }
        params.emplace_back(text);
        for (std::size_t k = 1; k < vars; ++k) params.emplace_back();
      }
    }
  }

  // The memo's answer for the current message, when still valid and still a full match.
  cluster* memo_lookup() {
    const memo_entry& e = memo[signature & (memo.size() - 1)];
    if (e.signature != signature || e.epoch != epoch) return nullptr;
    cluster* c = find(e.cluster_id);
    if (!c || c->tokens.size() != toks.size()) return nullptr;
    // Hash equality stands for string equality here: a false positive needs both the 64-bit
    // signature and every token hash to collide.
    for (std::size_t i = 0; i < toks.size(); ++i) {
      const auto& tt = c->tokens[i];
      if (tt.kind == tok_kind::wild || tt.hash == toks[i].hash) continue;
      if (tt.kind != tok_kind::partial || !glob_match(tt.shape, shape_of(toks[i]))) return nullptr;
    }
    return c;
  }

  drain_match add(std::string_view message, std::vector<std::string>* params) {
    if (!opt.measure_stages) return add_message(message, params);
    const std::uint64_t mask_before = stage.mask;
    const std::uint64_t t0 = ticks();
    tokenize(message);
    const std::uint64_t t1 = ticks();
    stage.tokenize += (t1 - t0) - (stage.mask - mask_before);
    tokenized = true;
    drain_match m = add_message(message, params);
    stage.search += ticks() - t1;
    return m;
  }

  bool tokenized = false;  // add() timed the tokenizing already

  drain_match add_message(std::string_view message, std::vector<std::string>* params) {
    if (!tokenized) tokenize(message);
    tokenized = false;
    absorbed.clear();
    drain_match m;
    if (cluster* hit = memo_lookup()) {
      ++hit->size;
      touch(*hit);
      m.cluster_id = hit->id;
      m.template_text = hit->text;
      if (params) extract_params(*hit, nullptr, message, *params);
      return m;
    }
    collect_leaves();
    cluster* chosen = nullptr;
    bool changed = false;

    // 1. A template that agrees with the message everywhere: the most specific one.
    cluster* best_full = nullptr;
    cluster* best_partial = nullptr;
    comparison cmp, best_partial_cmp;
    double best_full_sim = -1, best_partial_sim = -1;
    std::uint32_t best_full_params = 0;
    siblings.clear();
    const auto scan = [&](const std::vector<std::uint32_t>& where) {
      for (const auto leaf : where) {
        for (const auto id : nodes[leaf].clusters) {
          cluster* c = find(id);
          if (!c) continue;
          compare(*c, cmp);
          const double sim = similarity(cmp);
          if (cmp.full) {
            if (sim > best_full_sim || (sim == best_full_sim && cmp.params > best_full_params)) {
              best_full = c;
              best_full_sim = sim;
              best_full_params = cmp.params;
            }
          } else if (sim >= opt.similarity && sim > best_partial_sim) {
            best_partial = c;
            best_partial_sim = sim;
            best_partial_cmp = cmp;
          }
        }
      }
    };
    scan(leaves);
    if (!best_full) {
      collect_sibling_leaves();
      scan(siblings);
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    bool use_spans = false;
    if (best_full) {
      chosen = best_full;
      memo[signature & (memo.size() - 1)] = memo_entry{signature, best_full->id, epoch};
    } else if (best_partial && try_generalize(*best_partial, best_partial_cmp)) {
      chosen = best_partial;
      changed = true;
    } else if (cluster* cover = find_covering(&spans)) {
      chosen = cover;
      use_spans = true;
    }

    if (chosen) {
      ++chosen->size;
      touch(*chosen);
      m.change = changed || !absorbed.empty() ? template_change::updated : template_change::none;
    } else {
      cluster fresh;
      fresh.id = next_id++;
      fresh.size = 1;
      fresh.tokens.reserve(toks.size());
      for (const auto& t : toks) {
        tmpl_token tt;
        tt.shape = std::string(shape_of(t));
        tt.hash = t.hash;
        tt.kind = t.kind;
        fresh.tokens.push_back(std::move(tt));
      }
      render(fresh);
      const std::uint64_t id = fresh.id;
      chosen = &clusters.emplace(id, std::move(fresh)).first->second;
      account(*chosen);
      attach(*chosen);
      absorb_subsumed(*chosen);
      absorb_covered(*chosen);
      m.change = template_change::created;
    }
    m.cluster_id = chosen->id;
    if (params) extract_params(*chosen, use_spans ? &spans : nullptr, message, *params);
    const std::uint64_t id = chosen->id;
    evict_if_needed();
    const cluster* kept = find(id);
    m.template_text = kept ? std::string_view(kept->text) : std::string_view{};
    m.absorbed = absorbed;
    if (!absorbed.empty() && m.change == template_change::none) m.change = template_change::updated;
    return m;
  }

  // ---- snapshot ----------------------------------------------------------------------------
  //
  // Layout (runtime/util/byte_codec.hpp): magic, version, options, next id, clusters from the
  // most to the least recently used (id, size, aliases, tokens), the tree depth-first (length
  // nodes carry their token count; each node its key, its cluster ids in order, its children),
  // then the first-token index. Everything that decides a future result is kept, in order;
  // the memos are not (they never change a result).

  static constexpr std::string_view magic = "SFDRAIN";
  static constexpr std::uint8_t format_version = 1;

  void save(util::byte_writer& w) const {
    w.raw(magic);
    w.u8(format_version);
    w.svarint(opt.depth);
    w.f64(opt.similarity);
    w.svarint(opt.max_children);
    w.varint(opt.max_clusters);
    w.u8(opt.parametrize_numeric_tokens ? 1 : 0);
    w.str(opt.extra_delimiters);
    w.varint(opt.masks.size());
    for (const auto& m : opt.masks) {
      w.u8(static_cast<std::uint8_t>(m.kind));
      w.str(m.pattern);
    }
    w.varint(opt.max_tokens);
    w.varint(opt.max_token_bytes);
    w.varint(opt.max_state_bytes);
    w.varint(next_id);
    w.varint(clusters.size());
    for (std::uint64_t id = lru_head; id;) {
      const cluster& c = clusters.at(id);
      w.varint(c.id);
      w.varint(c.size);
      w.varint(c.aliases.size());
      for (const auto a : c.aliases) w.varint(a);
      w.varint(c.tokens.size());
      for (const auto& t : c.tokens) {
        w.str(t.shape);
        w.u8(t.proven ? 1 : 0);
      }
      id = c.lru_next;
    }
    w.varint(nodes[0].children.size());
    for (const auto len_node : nodes[0].children) {
      w.varint(length_of(len_node));
      save_node(w, len_node);
    }
    std::vector<std::uint64_t> keys;
    keys.reserve(by_first.size());
    for (const auto& [k, v] : by_first) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    w.varint(keys.size());
    for (const auto k : keys) {
      const auto& ids = by_first.at(k);
      w.varint(k);
      w.varint(ids.size());
      for (const auto id : ids) w.varint(id);
    }
  }

  // Token count of a length node (its key is a hash of it).
  std::size_t length_of(std::uint32_t len_node) const {
    for (std::size_t n = 0; n <= opt.max_tokens; ++n) {
      if (length_key(n) == nodes[len_node].key) return n;
    }
    return 0;
  }

  void save_node(util::byte_writer& w, std::uint32_t n) const {
    const node& x = nodes[n];
    w.varint(x.key);
    w.varint(x.clusters.size());
    for (const auto id : x.clusters) w.varint(id);
    w.varint(x.children.size());
    for (const auto c : x.children) save_node(w, c);
  }

  // Reads a snapshot; nullptr on any inconsistency (never trusts a count, an id or a depth).
  static std::unique_ptr<state> load(std::string_view bytes) {
    if (bytes.substr(0, magic.size()) != magic) return nullptr;
    util::byte_reader r(bytes.substr(magic.size()));
    if (r.u8() != format_version) return nullptr;
    drain_options o;
    o.depth = static_cast<int>(r.svarint());
    o.similarity = r.f64();
    o.max_children = static_cast<int>(r.svarint());
    o.max_clusters = r.varint();
    o.parametrize_numeric_tokens = r.u8() != 0;
    o.extra_delimiters = r.str(256);
    const std::uint64_t n_masks = r.varint();
    if (!r.ok() || n_masks > 64 || !r.plausible_count(n_masks, 2)) return nullptr;
    o.masks.clear();
    for (std::uint64_t k = 0; k < n_masks; ++k) {
      const auto kind = r.u8();
      if (kind > static_cast<std::uint8_t>(mask_kind::regex)) return nullptr;
      o.masks.push_back(mask{static_cast<mask_kind>(kind), r.str(4096)});
    }
    o.max_tokens = r.varint();
    o.max_token_bytes = r.varint();
    o.max_state_bytes = r.varint();
    if (!r.ok() || o.depth < 2 || o.depth > 6 || !(o.similarity >= 0 && o.similarity <= 1) ||
        o.max_children < 2 || o.max_children > 1000000 || o.max_clusters < 1 || o.max_tokens < 1 ||
        o.max_tokens > 65536 || o.max_token_bytes < 8 || o.max_token_bytes > (1u << 20)) {
      return nullptr;
    }
    auto st = std::make_unique<state>(std::move(o));
    state& s = *st;
    s.next_id = r.varint();
    const std::uint64_t n_clusters = r.varint();
    if (!r.ok() || n_clusters > s.opt.max_clusters || !r.plausible_count(n_clusters, 4)) {
      return nullptr;
    }
    std::uint64_t prev = 0;
    for (std::uint64_t k = 0; k < n_clusters; ++k) {
      cluster c;
      c.id = r.varint();
      c.size = r.varint();
      const std::uint64_t n_alias = r.varint();
      if (!r.ok() || c.id == 0 || c.id >= s.next_id || n_alias > max_aliases ||
          !r.plausible_count(n_alias)) {
        return nullptr;
      }
      for (std::uint64_t a = 0; a < n_alias; ++a) {
        const std::uint64_t id = r.varint();
        if (!r.ok() || id == 0 || id >= s.next_id || s.alias_of.count(id)) return nullptr;
        c.aliases.push_back(id);
        s.alias_of[id] = c.id;
      }
      const std::uint64_t n_tokens = r.varint();
      if (!r.ok() || n_tokens > s.opt.max_tokens || !r.plausible_count(n_tokens, 2)) {
        return nullptr;
      }
      c.tokens.resize(n_tokens);
      for (auto& t : c.tokens) {
        set_token(t, r.str(4 * s.opt.max_token_bytes + 64));
        t.proven = r.u8() != 0;
      }
      if (!r.ok() || s.clusters.count(c.id)) return nullptr;
      render(c);
      c.lru_prev = prev;
      const std::uint64_t id = c.id;
      s.account(s.clusters.emplace(id, std::move(c)).first->second);
      if (prev) {
        s.clusters.at(prev).lru_next = id;
      } else {
        s.lru_head = id;
      }
      prev = id;
    }
    s.lru_tail = prev;
    for (const auto& [alias, owner] : s.alias_of) {
      if (s.clusters.count(alias)) return nullptr;  // an alias names a retired id
    }
    std::size_t placed = 0;
    const std::uint64_t n_lengths = r.varint();
    if (!r.ok() || !r.plausible_count(n_lengths, 3)) return nullptr;
    for (std::uint64_t k = 0; k < n_lengths; ++k) {
      const std::uint64_t len = r.varint();
      if (!r.ok() || len > s.opt.max_tokens) return nullptr;
      if (!s.load_node(r, 0, 0, static_cast<std::size_t>(len), placed)) return nullptr;
    }
    if (placed != s.clusters.size()) return nullptr;
    const std::uint64_t n_keys = r.varint();
    if (!r.ok() || !r.plausible_count(n_keys, 3)) return nullptr;
    for (std::uint64_t k = 0; k < n_keys; ++k) {
      const std::uint64_t key = r.varint();
      const std::uint64_t n_ids = r.varint();
      if (!r.ok() || !r.plausible_count(n_ids) || s.by_first.count(key)) return nullptr;
      auto& ids = s.by_first[key];
      for (std::uint64_t q = 0; q < n_ids; ++q) {
        const std::uint64_t id = r.varint();
        const auto it = s.clusters.find(id);
        if (!r.ok() || it == s.clusters.end() || s.first_key(it->second) != key) return nullptr;
        ids.push_back(id);
      }
    }
    if (!r.ok() || !r.at_end()) return nullptr;
    return st;
  }

  // Reads the subtree of a child of `parent`; `level` 0 is a length node.
  bool load_node(util::byte_reader& r, std::uint32_t parent, std::size_t level, std::size_t len,
                 std::size_t& placed) {
    if (level > token_levels() || nodes.size() > 8 * (clusters.size() + 1) * (token_levels() + 2)) {
      return false;
    }
    const std::uint64_t key = r.varint();
    if (!r.ok() || (level == 0 && key != length_key(len)) || child(parent, key)) return false;
    const std::uint32_t n = add_child(parent, key);
    const std::uint64_t n_clusters = r.varint();
    if (!r.ok() || !r.plausible_count(n_clusters)) return false;
    for (std::uint64_t k = 0; k < n_clusters; ++k) {
      const std::uint64_t id = r.varint();
      const auto it = clusters.find(id);
      if (!r.ok() || it == clusters.end() || it->second.leaf != 0 ||
          it->second.tokens.size() != len) {
        return false;
      }
      it->second.leaf = n;
      nodes[n].clusters.push_back(id);
      ++placed;
    }
    const std::uint64_t n_children = r.varint();
    if (!r.ok() || !r.plausible_count(n_children, 3)) return false;
    for (std::uint64_t k = 0; k < n_children; ++k) {
      if (!load_node(r, n, level + 1, len, placed)) return false;
    }
    return true;
  }

  const cluster* resolve(std::uint64_t id) const {
    if (const auto it = clusters.find(id); it != clusters.end()) return &it->second;
    if (const auto a = alias_of.find(id); a != alias_of.end()) {
      if (const auto it = clusters.find(a->second); it != clusters.end()) return &it->second;
    }
    return nullptr;
  }
};

drain_miner::drain_miner(drain_options options) : s_(std::make_unique<state>(std::move(options))) {}
drain_miner::drain_miner(std::unique_ptr<state> s) : s_(std::move(s)) {}
drain_miner::drain_miner(drain_miner&&) noexcept = default;
drain_miner& drain_miner::operator=(drain_miner&&) noexcept = default;
drain_miner::~drain_miner() = default;

drain_match drain_miner::add(std::string_view message, std::vector<std::string>* params) {
  return s_->add(message, params);
}

std::size_t drain_miner::cluster_count() const {
  return s_->clusters.size();
}

std::optional<std::string_view> drain_miner::template_of(std::uint64_t cluster_id) const {
  const auto* c = s_->resolve(cluster_id);
  if (!c) return std::nullopt;
  return std::string_view(c->text);
}

std::uint64_t drain_miner::current_id(std::uint64_t cluster_id) const {
  const auto* c = s_->resolve(cluster_id);
  return c ? c->id : 0;
}

std::size_t drain_miner::tree_nodes() const {
  return s_->nodes.size() - s_->free_nodes.size();
}

std::uint64_t drain_miner::size_of(std::uint64_t cluster_id) const {
  const auto* c = s_->resolve(cluster_id);
  return c ? c->size : 0;
}

const drain_options& drain_miner::options() const {
  return s_->opt;
}

drain_stage_ticks drain_miner::stage_ticks() const {
  return s_->stage;
}

std::string drain_miner::snapshot() const {
  util::byte_writer w;
  s_->save(w);
  return w.take();
}

std::optional<drain_miner> drain_miner::restore(std::string_view bytes) {
  auto st = state::load(bytes);
  if (!st) return std::nullopt;
  return drain_miner(std::move(st));
}

const std::string& drain_miner::configuration_error() const {
  return s_->config_error;
}

}  // namespace seerflow::parse
