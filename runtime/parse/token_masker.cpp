#include "runtime/parse/token_masker.hpp"

#include <algorithm>
#include <array>

namespace seerflow::parse {
namespace {

// Character classes by table: the masker looks at every byte of every message.
enum : std::uint8_t { cls_digit = 1, cls_alpha = 2, cls_hex = 4, cls_word = 8 };

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    if (c >= '0' && c <= '9') v |= cls_digit | cls_hex | cls_word;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) v |= cls_alpha | cls_word;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= cls_hex;
    // Bytes of multi-byte UTF-8 sequences count as letters: words in any script.
    if (c == '_' || c >= 0x80) v |= cls_word;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> classes = make_classes();

constexpr std::uint8_t cls(char c) {
  return classes[static_cast<unsigned char>(c)];
}
constexpr bool is_digit(char c) {
  return cls(c) & cls_digit;
}
constexpr bool is_alpha(char c) {
  return cls(c) & cls_alpha;
}
constexpr bool is_alnum(char c) {
  return cls(c) & (cls_digit | cls_alpha);
}
constexpr bool is_hex(char c) {
  return cls(c) & cls_hex;
}
constexpr bool is_word(char c) {
  return cls(c) & cls_word;
}
constexpr char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::size_t word_end(std::string_view t, std::size_t i) {
  while (i < t.size() && is_word(t[i])) ++i;
  return i;
}
std::size_t digits_end(std::string_view t, std::size_t i) {
  while (i < t.size() && is_digit(t[i])) ++i;
  return i;
}
// True when a match ending at `j` is not glued to a following word character.
bool ends_word(std::string_view t, std::size_t j) {
  return j >= t.size() || !is_word(t[j]);
}

// Top-level domains that mark a dotted name as a host name. Generic ones accept two labels
// (example.com); country codes need three (www.example.de) because two-label dotted words such
// as file names ("run.sh", "setup.py") and property names would collide with them.
constexpr std::array<std::string_view, 11> generic_tlds = {
    "arpa", "biz", "com", "edu", "gov", "info", "io", "localdomain", "mil", "net", "org"};
constexpr std::array<std::string_view, 48> country_tlds = {
    "ae", "ar", "au", "br", "ca", "ch", "cl", "cn", "cz", "de", "dk", "es",
    "eu", "fi", "fr", "gr", "hk", "hu", "ie", "il", "ir", "jp", "kr", "mx",
    "nl", "nz", "pl", "pt", "ro", "ru", "se", "sg", "sk", "th", "tr", "tw",
    "ua", "uk", "us", "vn", "za", "at", "be", "cc", "ly", "tv", "ws", "xyz"};

bool is_tld(std::string_view label, std::size_t labels) {
  if (label.size() < 2 || label.size() > 11) return false;
  std::array<char, 12> buf{};
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (!is_alpha(label[i])) return false;
    buf[i] = lower(label[i]);
  }
  const std::string_view l(buf.data(), label.size());
  for (auto g : generic_tlds) {
    if (g == l) return true;
  }
  if (labels < 3) return false;
  for (auto c : country_tlds) {
    if (c == l) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 7> weekdays_long = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
constexpr std::array<std::string_view, 12> months_long = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

}  // namespace

token_masker::token_masker(const std::vector<mask>& masks) {
  for (const auto& m : masks) {
    if (m.kind != mask_kind::regex) bits_ |= 1u << static_cast<unsigned>(m.kind);
  }
}

// scheme://rest, without trailing punctuation that belongs to the sentence.
std::size_t token_masker::scan_url(std::string_view t, std::size_t i) const {
  std::size_t j = i;
  if (j >= t.size() || !is_alpha(t[j])) return 0;
  while (j < t.size() && (is_alnum(t[j]) || t[j] == '+' || t[j] == '.' || t[j] == '-')) ++j;
  if (t.substr(j, 3) != "://") return 0;
  const std::size_t body = j + 3;
  std::size_t end = t.size();
  while (end > body &&
         std::string_view(")]}>'\",;.:!?").find(t[end - 1]) != std::string_view::npos) {
    --end;
  }
  return end > body ? end : 0;
}

// Absolute paths: /a/b, C:\a\b, \\server\share. A path followed by :digits (a port or a line
// number) is one value.
std::size_t token_masker::scan_path(std::string_view t, std::size_t i) const {
  const auto path_char = [&](std::size_t k) {
    const char c = t[k];
    if (is_word(c)) return true;
    switch (c) {
      case '.':
      case '-':
      case '~':
      case '+':
      case '@':
      case '%':
      case '=':
      case '$':
      case '#':
      case '!':
      case '&':
      case '*':
      case '/':
      case '\\':
        return true;
      case ':':  // Java class paths: /a.jar:/b.jar
        return k + 1 < t.size() && t[k + 1] == '/';
      default:
        return false;
    }
  };
  std::size_t j = i;
  if (t[i] == '/') {
    j = i + 1;
  } else if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '\\') {
    j = i + 2;
  } else if (is_alpha(t[i]) && i + 2 < t.size() && t[i + 1] == ':' && t[i + 2] == '\\') {
    j = i + 3;
  } else {
    return 0;
  }
  const std::size_t body = j;
  while (j < t.size() && path_char(j)) ++j;
  while (j > body && t[j - 1] == ':') --j;
  // At least one character that is not a separator: "/" alone is no path.
  bool any = false;
  for (std::size_t k = body; k < j; ++k) any |= (t[k] != '/' && t[k] != '\\');
  if (!any) return 0;
  if (j < t.size() && t[j] == ':') {
    const std::size_t p = digits_end(t, j + 1);
    if (p > j + 1 && ends_word(t, p)) j = p;
  }
  return j;
}

std::size_t token_masker::scan_email(std::string_view t, std::size_t i) const {
  std::size_t j = i;
  while (j < t.size() && (is_alnum(t[j]) || t[j] == '.' || t[j] == '_' || t[j] == '%' ||
                          t[j] == '+' || t[j] == '-')) {
    ++j;
  }
  if (j == i || j >= t.size() || t[j] != '@') return 0;
  std::size_t k = j + 1, labels = 0, label_start = k;
  std::size_t last_label_start = k, end = 0;
  while (k < t.size()) {
    label_start = k;
    while (k < t.size() && (is_alnum(t[k]) || t[k] == '-')) ++k;
    if (k == label_start) break;
    ++labels;
    last_label_start = label_start;
    end = k;
    if (k + 1 < t.size() && t[k] == '.' && is_alnum(t[k + 1])) {
      ++k;
    } else {
      break;
    }
  }
  if (labels < 2 || !ends_word(t, end)) return 0;
  for (std::size_t q = last_label_start; q < end; ++q) {
    if (!is_alpha(t[q])) return 0;
  }
  return end;
}

std::size_t token_masker::scan_uuid(std::string_view t, std::size_t i) const {
  static constexpr std::array<std::size_t, 5> groups = {8, 4, 4, 4, 12};
  std::size_t j = i;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g > 0) {
      if (j >= t.size() || t[j] != '-') return 0;
      ++j;
    }
    for (std::size_t k = 0; k < groups[g]; ++k, ++j) {
      if (j >= t.size() || !is_hex(t[j])) return 0;
    }
  }
  return ends_word(t, j) ? j : 0;
}

std::size_t token_masker::scan_mac(std::string_view t, std::size_t i) const {
  if (i + 17 > t.size()) return 0;
  const char sep = t[i + 2];
  if (sep != ':' && sep != '-') return 0;
  if (i >= 2 && t[i - 1] == sep && is_hex(t[i - 2])) return 0;  // inside a longer run
  for (std::size_t g = 0; g < 6; ++g) {
    const std::size_t p = i + g * 3;
    if (!is_hex(t[p]) || !is_hex(t[p + 1])) return 0;
    if (g < 5 && t[p + 2] != sep) return 0;
  }
  const std::size_t j = i + 17;
  if (j < t.size() && (is_word(t[j]) || t[j] == sep)) return 0;
  return j;
}

std::size_t token_masker::scan_ipv4_endpoint(std::string_view t, std::size_t i) const {
  // Inside a longer dotted number (1.2.3.4.5) there is no address.
  if (i >= 2 && t[i - 1] == '.' && is_digit(t[i - 2])) return 0;
  std::size_t j = i;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (j >= t.size() || t[j] != '.') return 0;
      ++j;
    }
    const std::size_t e = digits_end(t, j);
    if (e == j || e - j > 3) return 0;
    int v = 0;
    for (std::size_t k = j; k < e; ++k) v = v * 10 + (t[k] - '0');
    if (v > 255) return 0;
    j = e;
  }
  if (j < t.size() && (is_word(t[j]) || (t[j] == '.' && j + 1 < t.size() && is_digit(t[j + 1])))) {
    return 0;  // 1.2.3.4.5 or 1.2.3.4abc: not an address
  }
  return scan_port_suffix(t, j);
}

// Extends an address ending at `j` with ":port" when one follows.
std::size_t token_masker::scan_port_suffix(std::string_view t, std::size_t j) const {
  if (j < t.size() && t[j] == ':') {
    const std::size_t p = digits_end(t, j + 1);
    if (p > j + 1 && p - (j + 1) <= 5 && ends_word(t, p) &&
        !(p < t.size() && t[p] == '.' && p + 1 < t.size() && is_digit(t[p + 1]))) {
      return p;
    }
  }
  return j;
}

std::size_t token_masker::scan_ipv6(std::string_view t, std::size_t i) const {
  std::size_t j = i, groups = 0, colons = 0;
  bool compressed = false, digit = false;
  if (t.substr(j, 2) == "::") {
    compressed = true;
    j += 2;
    colons += 2;
  }
  while (j < t.size()) {
    // An embedded IPv4 tail (::ffff:10.0.0.1) ends the address.
    if (groups > 0 || compressed) {
      const std::size_t v4 = scan_ipv4_endpoint(t, j);
      if (v4 && (v4 == t.size() || t[v4] != ':')) {
        std::size_t e = j;
        for (int dots = 0; e < t.size() && (is_digit(t[e]) || (t[e] == '.' && dots++ < 3));) ++e;
        j = e;
        groups += 2;
        digit = true;
        break;
      }
    }
    std::size_t k = j;
    while (k < t.size() && k - j < 5 && is_hex(t[k])) {
      digit |= is_digit(t[k]);
      ++k;
    }
    if (k == j || k - j > 4) {
      if (k - j > 4) return 0;
      break;
    }
    ++groups;
    j = k;
    if (j < t.size() && t[j] == ':') {
      if (j + 1 < t.size() && t[j + 1] == ':') {
        if (compressed) return 0;
        compressed = true;
        colons += 2;
        j += 2;
        continue;
      }
      if (j + 1 < t.size() && is_hex(t[j + 1])) {
        ++colons;
        ++j;
        continue;
      }
    }
    break;
  }
  if (groups == 0 || colons < 2 || groups > 8) return 0;
  if (!compressed && groups != 8) return 0;
  if (!digit && groups < 3) return 0;  // "a::b" is a C++ scope, not an address
  if (j < t.size() && t[j] == '%') {   // zone index
    std::size_t k = j + 1;
    while (k < t.size() && is_alnum(t[k])) ++k;
    if (k > j + 1) j = k;
  }
  if (j < t.size() && is_word(t[j])) return 0;
  return j;
}

// hh:mm[:ss][.frac] (also ,frac and :frac, as Java and some apps print milliseconds).
std::size_t token_masker::scan_time(std::string_view t, std::size_t i) const {
  std::size_t j = digits_end(t, i);
  if (j - i < 1 || j - i > 2 || j >= t.size() || t[j] != ':') return 0;
  std::size_t fields = 1;
  while (fields < 3 && j < t.size() && t[j] == ':') {
    const std::size_t e = digits_end(t, j + 1);
    if (e - (j + 1) != 2) break;
    j = e;
    ++fields;
  }
  if (fields < 2) return 0;
  if (fields == 3 && j + 1 < t.size() && (t[j] == '.' || t[j] == ',' || t[j] == ':') &&
      is_digit(t[j + 1])) {
    j = digits_end(t, j + 1);
  }
  if (j < t.size() && (t[j] == 'Z' || t[j] == 'z') && ends_word(t, j + 1)) ++j;
  return ends_word(t, j) ? j : 0;
}

// 0x1f, or a run of 6+ hex digits mixing letters and digits (deadbeef01, 3c905b).
std::size_t token_masker::scan_hex(std::string_view t, std::size_t i) const {
  if (t[i] == '0' && i + 2 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X') && is_hex(t[i + 2])) {
    std::size_t j = i + 2;
    while (j < t.size() && is_hex(t[j])) ++j;
    return ends_word(t, j) ? j : 0;
  }
  std::size_t j = i;
  bool digit = false, letter = false;
  while (j < t.size() && is_hex(t[j])) {
    (is_digit(t[j]) ? digit : letter) = true;
    ++j;
  }
  if (j - i < 6 || !digit || !letter || !ends_word(t, j)) return 0;
  return j;
}

// A value that starts with a digit: 42, 3.14, 1.2.3-4 (versions), 2015-10-18, 10:20, 100ms,
// 16KB, 80x25, 1e-9. Words glued to the digits are part of the value (units, suffixes).
std::size_t token_masker::scan_number(std::string_view t, std::size_t i) const {
  std::size_t j = i;
  if (t[j] == '-' || t[j] == '+') ++j;
  if (j >= t.size() || !is_digit(t[j])) return 0;
  while (true) {
    j = digits_end(t, j);
    // Exponent: 1e-9, 2.5E+10.
    if (j + 2 < t.size() && (t[j] == 'e' || t[j] == 'E') && (t[j + 1] == '-' || t[j + 1] == '+') &&
        is_digit(t[j + 2])) {
      j = digits_end(t, j + 2);
    }
    j = word_end(t, j);
    if (j + 1 < t.size() && (t[j] == '.' || t[j] == '-') && is_digit(t[j + 1])) {
      ++j;
      continue;
    }
    break;
  }
  return j;
}

namespace {

bool is_duration_unit(std::string_view u) {
  static constexpr std::string_view units[] = {"ns",  "us",   "ms", "s",  "sec", "secs", "m",
                                               "min", "mins", "h",  "hr", "hrs", "d",    "w"};
  for (auto x : units) {
    if (x == u) return true;
  }
  return false;
}

bool is_size_suffix(std::string_view u) {
  static constexpr std::string_view units[] = {"B",   "KB", "MB", "GB", "TB",  "PB",  "kB",  "K",
                                               "M",   "G",  "T",  "k",  "KiB", "MiB", "GiB", "TiB",
                                               "PiB", "Kb", "Mb", "Gb", "kb",  "mb",  "gb"};
  for (auto x : units) {
    if (x == u) return true;
  }
  return false;
}

// The unit glued to a number ("100ms", "1h30m", "16KB"): a duration when every letter run
// between or after its digits is a duration unit, a size when it ends in a size unit.
enum class quantity { plain, duration, size, other };

quantity quantity_of(std::string_view v) {
  bool any_unit = false, all_duration = true;
  std::string_view last;
  for (std::size_t i = 0; i < v.size();) {
    if (!is_alpha(v[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < v.size() && is_alpha(v[j])) ++j;
    const std::string_view run = v.substr(i, j - i);
    // The exponent of 1e-9 is no unit.
    if (!((run == "e" || run == "E") && j < v.size() && (v[j] == '-' || v[j] == '+'))) {
      any_unit = true;
      all_duration &= is_duration_unit(run);
      last = run;
    }
    i = j;
  }
  if (!any_unit) return quantity::plain;
  if (all_duration) return quantity::duration;
  return is_size_suffix(last) ? quantity::size : quantity::other;
}

}  // namespace

// A number as the enabled masks see it: any number for `number`; with only `duration` or
// `size`, numbers carrying such a unit ("100ms", "16KB").
std::size_t token_masker::scan_quantity(std::string_view t, std::size_t i) const {
  const bool numbers = enabled(mask_kind::number);
  const bool durations = enabled(mask_kind::duration), sizes = enabled(mask_kind::size);
  if (!numbers && !durations && !sizes) return 0;
  const std::size_t e = scan_number(t, i);
  if (e == 0 || numbers) return e;
  const quantity q = quantity_of(t.substr(i, e - i));
  return (q == quantity::duration && durations) || (q == quantity::size && sizes) ? e : 0;
}

// ISO 8601 durations: P1DT2H30M, PT5.5S.
std::size_t token_masker::scan_iso_duration(std::string_view t, std::size_t i) const {
  if (t[i] != 'P') return 0;
  std::size_t j = i + 1;
  bool time = false, any = false;
  while (j < t.size()) {
    if (t[j] == 'T' && !time) {
      time = true;
      ++j;
      continue;
    }
    const std::size_t d = j;
    while (j < t.size() && (is_digit(t[j]) || t[j] == '.')) ++j;
    if (j == d || j >= t.size()) return 0;
    const char u = t[j];
    const bool ok =
        time ? (u == 'H' || u == 'M' || u == 'S') : (u == 'Y' || u == 'M' || u == 'W' || u == 'D');
    if (!ok) return 0;
    any = true;
    ++j;
    if (j < t.size() && !is_word(t[j])) break;
  }
  return any && ends_word(t, j) ? j : 0;
}

// Identifiers with a numeric part: job_201706092018_0024, blk_-1608999687, broadcast_0_piece0;
// versions written v1.2.3.
std::size_t token_masker::scan_identifier(std::string_view t, std::size_t i) const {
  std::size_t j = i;
  bool numeric_part = false, underscore = false;
  std::size_t part = i;
  while (j < t.size()) {
    if (t[j] == '_') {
      underscore = true;
      if (j > part && std::all_of(t.begin() + part, t.begin() + j, is_digit)) numeric_part = true;
      ++j;
      // A signed number after an underscore: blk_-123.
      if (j + 1 < t.size() && t[j] == '-' && is_digit(t[j + 1])) ++j;
      part = j;
      continue;
    }
    if (!is_word(t[j])) break;
    ++j;
  }
  if (j > part && std::all_of(t.begin() + part, t.begin() + j, is_digit)) numeric_part = true;
  if (underscore && numeric_part) return j;
  // v1.2.3
  if ((t[i] == 'v' || t[i] == 'V') && i + 1 < t.size() && is_digit(t[i + 1])) {
    std::size_t k = digits_end(t, i + 1);
    bool dotted = false;
    while (k + 1 < t.size() && t[k] == '.' && is_digit(t[k + 1])) {
      k = digits_end(t, k + 1);
      dotted = true;
    }
    if (dotted && ends_word(t, k)) return k;
  }
  return 0;
}

// Host names: fully qualified (a.example.com), optionally with :port or /address:port, and
// unqualified names with a port (node-3:9000) or an address (node-3/10.0.0.3:9000).
std::size_t token_masker::scan_host(std::string_view t, std::size_t i) const {
  std::size_t j = i, labels = 0, last_start = i;
  bool hyphen_or_digit = false;
  while (j < t.size()) {
    const std::size_t s = j;
    while (j < t.size() && (is_alnum(t[j]) || (t[j] == '-' && j > s))) {
      hyphen_or_digit |= (t[j] == '-' || is_digit(t[j]));
      ++j;
    }
    if (j == s) break;
    ++labels;
    last_start = s;
    if (j + 1 < t.size() && t[j] == '.' && is_alnum(t[j + 1])) {
      ++j;
      continue;
    }
    break;
  }
  if (labels == 0 || (j < t.size() && is_word(t[j]))) return 0;
  const bool qualified = labels >= 2 && enabled(mask_kind::domain) &&
                         is_tld(t.substr(last_start, j - last_start), labels);
  // host/10.0.0.1:80, as Java prints socket addresses.
  if (j + 1 < t.size() && t[j] == '/' && is_digit(t[j + 1]) && enabled(mask_kind::ipv4)) {
    if (const std::size_t e = scan_ipv4_endpoint(t, j + 1)) return e;
  }
  if (qualified) return scan_port_suffix(t, j);
  if ((hyphen_or_digit || labels >= 2) && enabled(mask_kind::identifier)) {
    const std::size_t p = scan_port_suffix(t, j);
    if (p != j) return p;
  }
  return 0;
}

namespace {

// Characters that separate the parts of a token for the rendering conventions below; '_' and
// '/' are not among them (identifiers and paths stay whole).
constexpr bool is_piece_delimiter(char c) {
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
      return true;
    default:
      return false;
  }
}

// Rendering conventions of the published Loghub guidelines (Khan et al., ICSE 2022), applied to
// the shape of one token: a piece glued to a variable is part of it ("abc<*>" -> "<*>"), a
// key=value value holding a variable is one variable, and variables separated only by dots or
// by nothing are one ("<*>.<*>" -> "<*>").
// Whether normalize_shape would change `s`: a variable glued to a piece, a key=value value
// holding more than a variable, or variables joined by a dot or by nothing.
bool needs_normalizing(std::string_view s, bool key_values) {
  const auto glued = [](char c) { return !is_piece_delimiter(c) && c != '/'; };
  bool any = false;
  for (std::size_t p = 0; p + 3 <= s.size(); ++p) {
    if (s[p] != '<' || s[p + 1] != '*' || s[p + 2] != '>') continue;
    any = true;
    if (p > 0 && glued(s[p - 1])) return true;
    if (p + 3 < s.size() &&
        (glued(s[p + 3]) || (s[p + 3] == '.' && s.compare(p + 4, 3, "<*>") == 0))) {
      return true;
    }
    p += 2;
  }
  if (!any) return false;
  if (key_values) {
    for (std::size_t eq = s.find('='); eq != std::string_view::npos; eq = s.find('=', eq + 1)) {
      std::size_t end = eq + 1;
      while (end < s.size() && std::string_view(",;:)]}&").find(s[end]) == std::string_view::npos) {
        ++end;
      }
      const std::string_view value = s.substr(eq + 1, end - eq - 1);
      if (value != "<*>" && value.find("<*>") != std::string_view::npos) return true;
    }
  }
  return false;
}

void normalize_shape(std::string& out, std::size_t from, bool key_values) {
  static constexpr std::string_view var = "<*>";
  std::string_view s(out.data() + from, out.size() - from);
  if (!needs_normalizing(s, key_values)) return;
  // Reused between calls: shapes are built on the per-message hot path.
  thread_local std::string buf;
  buf.clear();
  // Pieces glued to a variable.
  for (std::size_t i = 0; i < s.size();) {
    if (is_piece_delimiter(s[i])) {
      buf += s[i++];
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && !is_piece_delimiter(s[j])) ++j;
    const std::string_view piece = s.substr(i, j - i);
    if (piece != var && piece.find(var) != std::string_view::npos &&
        piece.find('/') == std::string_view::npos) {
      buf += var;
    } else {
      buf += piece;
    }
    i = j;
  }
  // key=value: a value holding a variable is a variable as a whole.
  for (std::size_t eq = key_values ? buf.find('=') : std::string::npos; eq != std::string::npos;
       eq = buf.find('=', eq + 1)) {
    if (eq == 0 || !(is_alnum(buf[eq - 1]) || buf[eq - 1] == '_' || buf[eq - 1] == '.')) continue;
    std::size_t end = eq + 1;
    while (end < buf.size() &&
           std::string_view(",;:)]}&").find(buf[end]) == std::string_view::npos) {
      ++end;
    }
    const std::string_view value(buf.data() + eq + 1, end - eq - 1);
    if (value != var && value.find(var) != std::string_view::npos) {
      buf.replace(eq + 1, end - eq - 1, var);
    }
  }
  // Variables joined by dots or by nothing.
  for (std::size_t p = buf.find("<*>"); p != std::string::npos; p = buf.find("<*>", p + 1)) {
    while (true) {
      if (buf.compare(p + 3, 3, var) == 0) {
        buf.erase(p + 3, 3);
      } else if (buf.compare(p + 3, 4, ".<*>") == 0) {
        buf.erase(p + 3, 4);
      } else {
        break;
      }
    }
  }
  out.resize(from);
  out += buf;
}

bool has_long_digit_run(std::string_view w) {
  std::size_t run = 0;
  for (char c : w) {
    run = is_digit(c) ? run + 1 : 0;
    if (run >= 4) return true;
  }
  return false;
}

// node-slave-07, msra-sa-41: lower-case names of two or more hyphenated parts ending in a
// number are host or instance names.
bool is_instance_name(std::string_view t, std::size_t i, std::size_t& end) {
  std::size_t j = i, hyphens = 0;
  if (j >= t.size() || !(t[j] >= 'a' && t[j] <= 'z')) return false;
  while (j < t.size() && ((t[j] >= 'a' && t[j] <= 'z') || is_digit(t[j]) || t[j] == '-')) {
    if (t[j] == '-') {
      if (j + 1 >= t.size() || !is_alnum(t[j + 1])) break;
      ++hyphens;
    }
    ++j;
  }
  if (hyphens < 2 || !is_digit(t[j - 1]) || !ends_word(t, j) ||
      (j < t.size() && t[j] == '.' && j + 1 < t.size() && is_alnum(t[j + 1]))) {
    return false;
  }
  end = j;
  return true;
}

}  // namespace

namespace {

// Characters a token holds; each scanner needs some of them, so most are skipped at once.
enum feature : unsigned {
  f_digit = 1u << 0,
  f_dot = 1u << 1,
  f_colon = 1u << 2,
  f_slash = 1u << 3,
  f_backslash = 1u << 4,
  f_at = 1u << 5,
  f_dash = 1u << 6,
  f_underscore = 1u << 7,
  f_angle = 1u << 8,
};

constexpr std::array<std::uint16_t, 256> make_features() {
  std::array<std::uint16_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = f_digit;
  t['.'] = f_dot;
  t[':'] = f_colon;
  t['/'] = f_slash;
  t['\\'] = f_backslash;
  t['@'] = f_at;
  t['-'] = f_dash;
  t['_'] = f_underscore;
  t['<'] = f_angle;
  return t;
}
constexpr std::array<std::uint16_t, 256> feature_table = make_features();

// Words that are values whatever the message: booleans and null, well-known account names.
enum class word_literal { none, boolean, account };

word_literal literal_word(std::string_view w) {
  std::uint64_t packed = 0;
  for (const char c : w) packed = (packed << 8) | static_cast<unsigned char>(lower(c));
  constexpr auto pack = [](std::string_view s) {
    std::uint64_t p = 0;
    for (const char c : s) p = (p << 8) | static_cast<unsigned char>(c);
    return p;
  };
  switch (packed) {
    case pack("true"):
    case pack("false"):
    case pack("null"):
      return word_literal::boolean;
    case pack("root"):
    case pack("admin"):
      return word_literal::account;
    default:
      return word_literal::none;
  }
}

unsigned features_of(std::string_view t) {
  unsigned f = 0;
  for (const char c : t) f |= feature_table[static_cast<unsigned char>(c)];
  return f;
}

}  // namespace

namespace {

token_masker::shape_info describe(std::string_view s) {
  token_masker::shape_info info;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && s.compare(i, 3, "<*>") == 0) {
      ++info.vars;
      i += 2;
    } else if (is_digit(s[i])) {
      info.digit = true;
    }
  }
  return info;
}

}  // namespace

token_masker::shape_info token_masker::shape(std::string_view t, std::string& out) const {
  const std::size_t out_start = out.size();
  const unsigned f = features_of(t);
  const auto has = [f](unsigned bits) { return (f & bits) != 0; };
  // Fast path for the commonest token, words and punctuation without a digit or any character
  // a scanner starts from: only a boolean or account name can be a variable there.
  if (f == 0) {
    bool special = false;
    for (std::size_t i = 0; i < t.size() && !special;) {
      if (!is_word(t[i])) {
        ++i;
        continue;
      }
      const std::size_t e = word_end(t, i);
      special =
          (e - i == 4 || e - i == 5) && literal_word(t.substr(i, e - i)) != word_literal::none;
      i = e;
    }
    if (!special) {
      out.append(t.data(), t.size());
      return shape_info{};
    }
  }
  bool any_var = false;
  const auto emit_var = [&] {
    out += "<*>";
    any_var = true;
  };
  std::size_t i = 0;
  while (i < t.size()) {
    const char c = t[i];
    const bool at_start = i == 0 || !is_word(t[i - 1]);
    if (at_start) {
      std::size_t e = 0;
      if (is_digit(c)) {
        if (!e && has(f_dash) && enabled(mask_kind::uuid)) e = scan_uuid(t, i);
        if (!e && has(f_colon | f_dash) && enabled(mask_kind::mac)) e = scan_mac(t, i);
        if (!e && has(f_colon) && enabled(mask_kind::ipv6)) e = scan_ipv6(t, i);
        if (!e && has(f_dot) && enabled(mask_kind::ipv4)) e = scan_ipv4_endpoint(t, i);
        if (!e && has(f_at) && enabled(mask_kind::email)) e = scan_email(t, i);
        if (!e && has(f_colon) && enabled(mask_kind::datetime)) e = scan_time(t, i);
        if (!e && enabled(mask_kind::hex)) e = scan_hex(t, i);
        if (!e && has(f_underscore | f_dot) && enabled(mask_kind::identifier)) {
          e = scan_identifier(t, i);
        }
        if (!e && has(f_dot | f_colon | f_slash) &&
            (enabled(mask_kind::domain) || enabled(mask_kind::identifier))) {
          e = scan_host(t, i);
        }
        if (!e) e = scan_quantity(t, i);
      } else if (is_alpha(c)) {
        if (!e && has(f_colon) && has(f_slash) && enabled(mask_kind::url)) e = scan_url(t, i);
        if (!e && has(f_at) && enabled(mask_kind::email)) e = scan_email(t, i);
        if (has(f_digit) && is_hex(c)) {
          if (!e && has(f_dash) && enabled(mask_kind::uuid)) e = scan_uuid(t, i);
          if (!e && has(f_colon | f_dash) && enabled(mask_kind::mac)) e = scan_mac(t, i);
          if (!e && has(f_colon) && enabled(mask_kind::ipv6)) e = scan_ipv6(t, i);
          if (!e && enabled(mask_kind::hex)) e = scan_hex(t, i);
        }
        if (!e && has(f_backslash) && enabled(mask_kind::path)) e = scan_path(t, i);  // C:\...
        if (!e && has(f_digit) && has(f_underscore | f_dot) && enabled(mask_kind::identifier)) {
          e = scan_identifier(t, i);
        }
        if (!e && has(f_dot | f_colon | f_slash) &&
            (enabled(mask_kind::domain) || enabled(mask_kind::identifier))) {
          e = scan_host(t, i);
        }
        if (!e && has(f_dash) && has(f_digit) && enabled(mask_kind::identifier)) {
          std::size_t end = 0;
          if (is_instance_name(t, i, end)) e = end;
        }
        if (!e && c == 'P' && has(f_digit) && enabled(mask_kind::duration)) {
          e = scan_iso_duration(t, i);
        }
      } else if (c == '/' || c == '\\') {
        if (enabled(mask_kind::path)) e = scan_path(t, i);
      } else if (c == '-' || c == '+') {
        if (i + 1 < t.size() && is_digit(t[i + 1])) e = scan_quantity(t, i);
      } else if (c == ':') {
        if (enabled(mask_kind::ipv6) && i + 1 < t.size() && t[i + 1] == ':') e = scan_ipv6(t, i);
      } else if (c == '_') {
        if (has(f_digit) && enabled(mask_kind::identifier)) e = scan_identifier(t, i);
      }
      if (e > i) {
        emit_var();
        i = e;
        continue;
      }
    }
    // The placeholder itself, written in a message, can only be read back as a variable.
    if (c == '<' && has(f_angle) && t.compare(i, 3, "<*>") == 0) {
      emit_var();
      i += 3;
      continue;
    }
    if (is_word(c)) {
      const std::size_t e = word_end(t, i);
      const std::string_view w = t.substr(i, e - i);
      bool var = false;
      if (at_start && (w.size() == 4 || w.size() == 5)) {
        const word_literal lit = literal_word(w);
        var = (lit == word_literal::boolean && enabled(mask_kind::boolean)) ||
              (lit == word_literal::account && enabled(mask_kind::account));
      }
      if (!var && has(f_digit) && enabled(mask_kind::identifier) && has_long_digit_run(w)) {
        var = true;  // a word carrying a long number: steps1514044800223, node0042
      }
      // The value of key=value when it is one word mixing letters and digits (id=ab12cd).
      if (!var && has(f_digit) && enabled(mask_kind::key_value) && i > 1 && t[i - 1] == '=' &&
          is_word(t[i - 2]) && e == t.size() && std::any_of(w.begin(), w.end(), is_digit) &&
          std::any_of(w.begin(), w.end(), is_alpha)) {
        var = true;
      }
      if (var) {
        emit_var();
      } else {
        out += w;
      }
      i = e;
      continue;
    }
    out += c;
    ++i;
  }
  if (!any_var) return shape_info{0, has(f_digit)};
  if (out.size() - out_start == 3) return shape_info{1, false};  // the whole token: "<*>"
  normalize_shape(out, out_start, enabled(mask_kind::key_value));
  shape_info info = describe(std::string_view(out).substr(out_start));
  if (!has(f_digit)) info.digit = false;
  return info;
}

token_masker::shape_info token_masker::finish(std::string& out, std::size_t from) const {
  normalize_shape(out, from, enabled(mask_kind::key_value));
  return describe(std::string_view(out).substr(from));
}

token_masker::shape_info token_masker::shape_truncated(std::string_view token, std::size_t limit,
                                                       std::string& out) const {
  const std::size_t from = out.size();
  shape(token.substr(0, limit), out);
  out += "<*>";
  normalize_shape(out, from, enabled(mask_kind::key_value));
  return describe(std::string_view(out).substr(from));
}

date_part token_masker::classify_date_part(std::string_view t) const {
  if (!enabled(mask_kind::datetime) || t.empty() || t.size() > 32) return date_part::none;
  while (t.size() > 1 && (t.back() == ',' || t.back() == '.')) t.remove_suffix(1);
  if (is_alpha(t[0])) {
    // Names of days and months (3 to 9 letters) share their first three letters with the
    // abbreviation; zones are UTC, GMT or 3-4 capitals ending in T (EDT, CEST).
    if (t.size() < 3 || t.size() > 9) {
      return t.size() == 1 && t[0] == 'Z' ? date_part::zone : date_part::none;
    }
    const std::uint32_t code = (static_cast<std::uint32_t>(lower(t[0])) << 16) |
                               (static_cast<std::uint32_t>(lower(t[1])) << 8) |
                               static_cast<std::uint32_t>(lower(t[2]));
    constexpr auto c3 = [](const char* s) {
      return (static_cast<std::uint32_t>(s[0]) << 16) | (static_cast<std::uint32_t>(s[1]) << 8) |
             static_cast<std::uint32_t>(s[2]);
    };
    int day = -1, month = -1;
    switch (code) {
      case c3("mon"):
        day = 0;
        break;
      case c3("tue"):
        day = 1;
        break;
      case c3("wed"):
        day = 2;
        break;
      case c3("thu"):
        day = 3;
        break;
      case c3("fri"):
        day = 4;
        break;
      case c3("sat"):
        day = 5;
        break;
      case c3("sun"):
        day = 6;
        break;
      case c3("jan"):
        month = 0;
        break;
      case c3("feb"):
        month = 1;
        break;
      case c3("mar"):
        month = 2;
        break;
      case c3("apr"):
        month = 3;
        break;
      case c3("may"):
        month = 4;
        break;
      case c3("jun"):
        month = 5;
        break;
      case c3("jul"):
        month = 6;
        break;
      case c3("aug"):
        month = 7;
        break;
      case c3("sep"):
        month = 8;
        break;
      case c3("oct"):
        month = 9;
        break;
      case c3("nov"):
        month = 10;
        break;
      case c3("dec"):
        month = 11;
        break;
      default:
        break;
    }
    if (day >= 0 && (t.size() == 3 || iequals(t, weekdays_long[static_cast<std::size_t>(day)]))) {
      return date_part::weekday;
    }
    if (month >= 0 && (t.size() == 3 || iequals(t, months_long[static_cast<std::size_t>(month)]) ||
                       (month == 8 && iequals(t, "sept")))) {
      return date_part::month;
    }
    if (t.size() == 3 && t[0] == 'U' && t[1] == 'T' && t[2] == 'C') return date_part::zone;
    if ((t.size() == 3 || t.size() == 4) && t.back() == 'T' &&
        std::all_of(t.begin(), t.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return date_part::zone;
    }
    return date_part::none;
  }
  if ((t[0] == '+' || t[0] == '-') && t.size() >= 5 && is_digit(t[1])) {
    const std::string_view d = t.substr(1);
    if ((d.size() == 4 && std::all_of(d.begin(), d.end(), is_digit)) ||
        (d.size() == 5 && d[2] == ':' && is_digit(d[0]) && is_digit(d[1]) && is_digit(d[3]) &&
         is_digit(d[4]))) {
      return date_part::zone;
    }
    return date_part::none;
  }
  if (!is_digit(t[0])) return date_part::none;
  if (std::all_of(t.begin(), t.end(), is_digit)) {
    if (t.size() <= 2) {
      const int v = t.size() == 1 ? t[0] - '0' : (t[0] - '0') * 10 + (t[1] - '0');
      return v >= 1 && v <= 31 ? date_part::day : date_part::none;
    }
    if (t.size() == 4) {
      const int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
      return y >= 1970 && y <= 2099 ? date_part::year : date_part::none;
    }
    return date_part::none;
  }
  if (scan_time(t, 0) == t.size()) return date_part::time;
  // yyyy-mm-dd, yyyy/mm/dd, dd/mm/yyyy, with an optional Thh:mm:ss... tail.
  const auto field = [&](std::size_t at, std::size_t len) {
    return at + len <= t.size() && std::all_of(t.begin() + at, t.begin() + at + len, is_digit);
  };
  std::size_t end = 0;
  if (field(0, 4) && t.size() >= 10 && (t[4] == '-' || t[4] == '/') && t[7] == t[4] &&
      field(5, 2) && field(8, 2)) {
    end = 10;
  } else if (field(0, 2) && t.size() >= 10 && (t[2] == '/' || t[2] == '-' || t[2] == '.') &&
             t[5] == t[2] && field(3, 2) && field(6, 4)) {
    end = 10;
  }
  if (end == 0) return date_part::none;
  if (end == t.size()) return date_part::date;
  if ((t[end] == 'T' || t[end] == 't') && scan_time(t, end + 1) == t.size()) return date_part::date;
  return date_part::none;
}

}  // namespace seerflow::parse
