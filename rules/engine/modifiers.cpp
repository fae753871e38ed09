#include "rules/engine/modifiers.hpp"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <charconv>
#include <cstring>

namespace seerflow::rules {

namespace {

enum class mod : std::uint8_t {
  contains,
  startswith,
  endswith,
  all,
  cased,
  re,
  re_i,
  re_m,
  re_s,
  base64,
  base64offset,
  utf16le,
  utf16be,
  utf16,
  windash,
  cidr,
  exists,
  neq,
  lt,
  lte,
  gt,
  gte,
  expand,
  fieldref,
  time
};

bool lookup_modifier(std::string_view n, mod& m) {
  static const std::pair<std::string_view, mod> table[] = {
      {"contains", mod::contains},
      {"startswith", mod::startswith},
      {"endswith", mod::endswith},
      {"all", mod::all},
      {"cased", mod::cased},
      {"re", mod::re},
      {"i", mod::re_i},
      {"ignorecase", mod::re_i},
      {"m", mod::re_m},
      {"multiline", mod::re_m},
      {"s", mod::re_s},
      {"dotall", mod::re_s},
      {"base64", mod::base64},
      {"base64offset", mod::base64offset},
      {"wide", mod::utf16le},
      {"utf16le", mod::utf16le},
      {"utf16be", mod::utf16be},
      {"utf16", mod::utf16},
      {"windash", mod::windash},
      {"cidr", mod::cidr},
      {"exists", mod::exists},
      {"neq", mod::neq},
      {"lt", mod::lt},
      {"lte", mod::lte},
      {"gt", mod::gt},
      {"gte", mod::gte},
      {"expand", mod::expand},
      {"fieldref", mod::fieldref},
      {"minute", mod::time},
      {"hour", mod::time},
      {"day", mod::time},
      {"week", mod::time},
      {"month", mod::time},
      {"year", mod::time},
  };
  for (const auto& [name, v] : table)
    if (name == n) {
      m = v;
      return true;
    }
  return false;
}

bool is_word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}

std::uint32_t decode_utf8(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (b < 0x80) {
    ++i;
    return b;
  }
  if (b >= 0xC2 && b < 0xE0 && cont(1)) {
    const std::uint32_t c = ((b & 0x1Fu) << 6) | (s[i + 1] & 0x3F);
    i += 2;
    return c;
  }
  if (b >= 0xE0 && b < 0xF0 && cont(1) && cont(2)) {
    const std::uint32_t c = ((b & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    i += 3;
    return c;
  }
  if (b >= 0xF0 && b < 0xF5 && cont(1) && cont(2) && cont(3)) {
    const std::uint32_t c = ((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) |
                            ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
    i += 4;
    return c;
  }
  ++i;
  return 0xFFFD;
}

bool parse_cidr(std::string_view text, ip_network& net) {
  const auto slash = text.find('/');
  std::string addr(text.substr(0, slash));
  int max_prefix = 0;
  if (inet_pton(AF_INET, addr.c_str(), net.addr) == 1) {
    net.v6 = false;
    max_prefix = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), net.addr) == 1) {
    net.v6 = true;
    max_prefix = 128;
  } else {
    return false;
  }
  net.prefix = max_prefix;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    int v = -1;
    auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size() || v < 0 || v > max_prefix)
      return false;
    net.prefix = v;
  }
  return true;
}

// `%name%` -> each configured value; `\%` is a literal percent sign.
bool expand_placeholders(std::string_view text, const placeholder_map* map,
                         std::vector<std::string>& out, std::string& error) {
  out.assign(1, std::string());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() && text[i + 1] == '%') {
      for (auto& o : out) o.push_back('%');
      ++i;
      continue;
    }
    if (c == '%') {
      const auto end = text.find('%', i + 1);
      if (end != std::string_view::npos && end > i + 1) {
        const auto name = text.substr(i + 1, end - i - 1);
        const std::vector<std::string>* vals = nullptr;
        if (map) {
          auto it = map->find(name);
          if (it != map->end()) vals = &it->second;
        }
        if (!vals || vals->empty()) {
          error = "expand: unresolved placeholder %" + std::string(name) + "%";
          return false;
        }
        std::vector<std::string> next;
        for (const auto& o : out)
          for (const auto& v : *vals) next.push_back(o + v);
        if (next.size() > 4096) {
          error = "expand: too many combinations";
          return false;
        }
        out = std::move(next);
        i = end;
        continue;
      }
    }
    for (auto& o : out) o.push_back(c);
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t v = p[i] << 16;
    if (rest == 2) v |= p[i + 1] << 8;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += rest == 2 ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
  // Alignment i: i unknown bytes precede the value; drop the characters that depend on them
  // (start) and on the unknown bytes that follow (end).
  static const std::size_t drop_start[3] = {0, 2, 3};
  static const std::size_t drop_end[3] = {0, 3, 2};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 3; ++i) {
    std::string padded(i, ' ');
    padded.append(bytes);
    std::string enc = base64_encode(padded);
    const std::size_t end_drop = drop_end[(bytes.size() + i) % 3];
    if (enc.size() < drop_start[i] + end_drop) continue;
    out.push_back(enc.substr(drop_start[i], enc.size() - drop_start[i] - end_drop));
  }
  return out;
}

std::string utf16_encode(std::string_view s, bool be) {
  std::string out;
  auto unit = [&](std::uint32_t u) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    if (be) {
      out += hi;
      out += lo;
    } else {
      out += lo;
      out += hi;
    }
  };
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t c = decode_utf8(s, i);
    if (c >= 0x10000) {
      c -= 0x10000;
      unit(0xD800 | (c >> 10));
      unit(0xDC00 | (c & 0x3FF));
    } else {
      unit(c);
    }
  }
  return out;
}

std::vector<sigma_string> windash_variants(const sigma_string& s, std::size_t limit) {
  static const char* dashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  // Positions (token, byte) of a dash or slash that starts a word: preceded by a non-word
  // character (or the start, or a wildcard) and followed by a word character.
  struct pos {
    std::size_t tok, off;
  };
  std::vector<pos> ps;
  for (std::size_t t = 0; t < s.size(); ++t) {
    if (s[t].k != sigma_token::kind::literal) continue;
    const std::string& x = s[t].text;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i] != '-' && x[i] != '/') continue;
      const bool before_ok = i == 0 || !is_word_byte(static_cast<unsigned char>(x[i - 1]));
      const bool after_ok = i + 1 < x.size() && is_word_byte(static_cast<unsigned char>(x[i + 1]));
      if (before_ok && after_ok) ps.push_back({t, i});
    }
  }
  std::size_t total = 1;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    total *= 5;
    if (total > limit) return {};
  }
  std::vector<sigma_string> out;
  for (std::size_t combo = 0; combo < total; ++combo) {
    sigma_string v;
    std::size_t c = combo, pi = 0;
    for (std::size_t t = 0; t < s.size(); ++t) {
      if (s[t].k != sigma_token::kind::literal) {
        v.push_back(s[t]);
        continue;
      }
      std::string text;
      const std::string& x = s[t].text;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (pi < ps.size() && ps[pi].tok == t && ps[pi].off == i) {
          text += dashes[c % 5];
          c /= 5;
          ++pi;
        } else {
          text += x[i];
        }
      }
      push_literal(v, text);
    }
    out.push_back(std::move(v));
  }
  return out;
}

bool compile_item(std::string_view key, const std::vector<rule_value>& values, compile_context& ctx,
                  detection_item& out, std::string& error) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto bar = key.find('|', start);
    parts.push_back(key.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  const std::string_view field = parts[0];
  std::vector<mod> chain;  // value modifiers in order (all/neq/cased/flags removed)
  bool is_re = false, re_i = false, re_m = false, re_s = false, cased = false;
  bool is_cidr = false, is_exists = false, is_fieldref = false, is_expand = false;
  std::optional<compare_op> cmp;
  std::size_t value_mods = 0;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    mod m{};
    if (!lookup_modifier(parts[i], m)) {
      error = "unknown modifier '" + std::string(parts[i]) + "'";
      return false;
    }
    auto name = std::string(parts[i]);
    if (is_exists) {
      error = "modifier '" + name + "' after exists";
      return false;
    }
    if (is_cidr && m != mod::all && m != mod::neq) {
      error = "cidr cannot be combined with '" + name + "'";
      return false;
    }
    switch (m) {
      case mod::all:
        out.all = true;
        continue;
      case mod::neq:
        out.negate = true;
        continue;
      case mod::cased:
        cased = true;
        continue;
      case mod::time:
        error = "time modifier '" + name + "' is not supported";
        return false;
      case mod::re_i:
      case mod::re_m:
      case mod::re_s:
        if (!is_re) {
          error = "modifier '" + name + "' is only valid after re";
          return false;
        }
        (m == mod::re_i ? re_i : m == mod::re_m ? re_m : re_s) = true;
        continue;
      case mod::re:
        if (value_mods > 0 || is_re) {
          error = "re must be the first modifier";
          return false;
        }
        is_re = true;
        ++value_mods;
        continue;
      case mod::cidr:
        if (value_mods > 0) {
          error = "cidr cannot follow another modifier";
          return false;
        }
        is_cidr = true;
        ++value_mods;
        continue;
      case mod::exists:
        if (i != 1) {
          error = "exists must be the only modifier";
          return false;
        }
        is_exists = true;
        continue;
      case mod::lt:
        cmp = compare_op::lt;
        break;
      case mod::lte:
        cmp = compare_op::lte;
        break;
      case mod::gt:
        cmp = compare_op::gt;
        break;
      case mod::gte:
        cmp = compare_op::gte;
        break;
      case mod::fieldref:
        is_fieldref = true;
        break;
      case mod::expand:
        is_expand = true;
        break;
      default:
        break;
    }
    if (is_re && m != mod::contains && m != mod::startswith && m != mod::endswith &&
        m != mod::expand) {
      error = "modifier '" + name + "' cannot be applied to a regular expression";
      return false;
    }
    if (cmp && (m == mod::contains || m == mod::startswith || m == mod::endswith ||
                m == mod::base64 || m == mod::base64offset || m == mod::windash ||
                m == mod::utf16 || m == mod::utf16le || m == mod::utf16be || m == mod::fieldref)) {
      error = "comparison modifiers cannot be combined with '" + name + "'";
      return false;
    }
    if (m != mod::lt && m != mod::lte && m != mod::gt && m != mod::gte && m != mod::fieldref &&
        m != mod::expand)
      chain.push_back(m);
    ++value_mods;
  }
  if (cmp && (!chain.empty() || is_re || is_cidr || cased)) {
    error = "comparison modifiers cannot be combined with string modifiers";
    return false;
  }
  if (is_fieldref) {
    for (auto m : chain)
      if (m != mod::contains && m != mod::startswith && m != mod::endswith) {
        error = "fieldref cannot be combined with this modifier";
        return false;
      }
  }
  out.keyword = field.empty();
  if (!out.keyword) out.field = ctx.fields->intern(field);
  if (out.keyword && (is_exists || is_fieldref || cmp)) {
    error = "keyword items cannot use exists, fieldref or comparison modifiers";
    return false;
  }
  const bool string_mods = !chain.empty() || cased;

  for (const auto& v : values) {
    std::vector<value_test> group;
    value_test t;
    if (is_exists) {
      if (v.k != rule_value::kind::boolean) {
        error = "exists needs a YAML boolean, got '" + v.text + "'";
        return false;
      }
      t.k = value_test::kind::exists;
      t.flag = v.flag;
      group.push_back(std::move(t));
      out.groups.push_back(std::move(group));
      continue;
    }
    if (cmp) {
      if (v.k != rule_value::kind::number) {
        error = "comparison modifier needs an unquoted number, got '" + v.text + "'";
        return false;
      }
      t.k = value_test::kind::compare;
      t.op = *cmp;
      t.number = v.number;
      group.push_back(std::move(t));
      out.groups.push_back(std::move(group));
      continue;
    }
    if (v.k == rule_value::kind::null) {
      t.k = value_test::kind::null;
      group.push_back(std::move(t));
      out.groups.push_back(std::move(group));
      continue;
    }
    if (v.k == rule_value::kind::boolean && !string_mods && !is_re) {
      t.k = value_test::kind::boolean;
      t.flag = v.flag;
      group.push_back(std::move(t));
      out.groups.push_back(std::move(group));
      continue;
    }
    if (v.k == rule_value::kind::number && !string_mods && !is_re && !is_cidr && !is_fieldref &&
        !is_expand) {
      t.k = value_test::kind::number;
      t.number = v.number;
      group.push_back(std::move(t));
      out.groups.push_back(std::move(group));
      continue;
    }
    // From here the value is text.
    std::vector<std::string> texts;
    if (is_expand) {
      if (!expand_placeholders(v.text, ctx.placeholders, texts, error)) return false;
    } else {
      texts.push_back(v.text);
    }
    for (const auto& text : texts) {
      if (is_re) {
        RE2::Options opt;
        opt.set_log_errors(false);
        opt.set_case_sensitive(!re_i);
        opt.set_dot_nl(re_s);
        opt.set_max_mem(8 << 20);
        std::string pat = re_m ? "(?m)" + text : text;
        auto re = std::make_shared<RE2>(pat, opt);
        if (!re->ok()) {
          error = "invalid regular expression '" + text + "': " + re->error();
          return false;
        }
        t = value_test{};
        t.k = value_test::kind::regex;
        t.regex = std::move(re);
        group.push_back(std::move(t));
        continue;
      }
      if (is_cidr) {
        t = value_test{};
        t.k = value_test::kind::cidr;
        if (!parse_cidr(text, t.net)) {
          error = "invalid cidr '" + text + "'";
          return false;
        }
        group.push_back(std::move(t));
        continue;
      }
      if (is_fieldref) {
        auto s = parse_sigma_string(text);
        if (has_wildcards(s)) {
          error = "fieldref value '" + text + "' contains wildcards";
          return false;
        }
        t = value_test{};
        t.k = value_test::kind::fieldref;
        t.ref_field = ctx.fields->intern(text);
        bool pre = false, suf = false;
        for (auto m : chain) {
          if (m == mod::contains) pre = suf = true;
          if (m == mod::startswith) suf = true;
          if (m == mod::endswith) pre = true;
        }
        t.ref_shape = pre && suf ? string_pattern::shape::contains
                      : suf      ? string_pattern::shape::prefix
                      : pre      ? string_pattern::shape::suffix
                                 : string_pattern::shape::exact;
        t.pattern = string_pattern::compile({}, cased);
        group.push_back(std::move(t));
        continue;
      }
      std::vector<sigma_string> cur{parse_sigma_string(text)};
      for (auto m : chain) {
        std::vector<sigma_string> next;
        for (auto& s : cur) {
          switch (m) {
            case mod::contains:
              prepend_star(s);
              push_star(s);
              next.push_back(std::move(s));
              break;
            case mod::startswith:
              push_star(s);
              next.push_back(std::move(s));
              break;
            case mod::endswith:
              prepend_star(s);
              next.push_back(std::move(s));
              break;
            case mod::utf16le:
            case mod::utf16be:
            case mod::utf16: {
              sigma_string r;
              bool first = true;
              for (auto& tok : s) {
                if (tok.k != sigma_token::kind::literal) {
                  r.push_back(tok);
                  first = false;
                  continue;
                }
                std::string enc = utf16_encode(tok.text, m == mod::utf16be);
                if (m == mod::utf16 && first) enc = std::string("\xFF\xFE", 2) + enc;
                first = false;
                push_literal(r, enc);
              }
              if (m == mod::utf16 && r.empty()) push_literal(r, std::string("\xFF\xFE", 2));
              next.push_back(std::move(r));
              break;
            }
            case mod::base64:
            case mod::base64offset: {
              if (has_wildcards(s)) {
                error = "base64 modifiers cannot encode wildcards in '" + text + "'";
                return false;
              }
              const std::string bytes = literal_text(s);
              if (m == mod::base64) {
                next.push_back(literal_sigma_string(base64_encode(bytes)));
              } else {
                for (auto& e : base64_offsets(bytes)) next.push_back(literal_sigma_string(e));
              }
              break;
            }
            case mod::windash: {
              auto vs = windash_variants(s, 3125);
              if (vs.empty()) {
                error = "windash: too many dash positions in '" + text + "'";
                return false;
              }
              for (auto& x : vs) next.push_back(std::move(x));
              break;
            }
            default:
              next.push_back(std::move(s));
              break;
          }
        }
        cur = std::move(next);
      }
      if (out.keyword) {
        for (auto& s : cur) {
          prepend_star(s);
          push_star(s);
        }
      }
      for (auto& s : cur) {
        t = value_test{};
        t.k = value_test::kind::pattern;
        t.pattern = string_pattern::compile(s, cased);
        group.push_back(std::move(t));
      }
    }
    out.groups.push_back(std::move(group));
  }
  if (values.empty() && !is_exists) {
    value_test t;  // `Field: []` means null
    t.k = value_test::kind::null;
    out.groups.push_back({std::move(t)});
  }
  return true;
}

}  // namespace seerflow::rules
