#include "runtime/parse/top_level_domain.hpp"

#include <algorithm>
#include <array>

namespace seerflow::parse {
namespace {

// Delegated ISO 3166 country-code TLDs (plus .eu, .su, .ac, .uk).
constexpr std::string_view country_codes =
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az "
    "ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz "
    "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz "
    "de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr "
    "ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy "
    "hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp "
    "ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly "
    "ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz "
    "na nc ne nf ng ni nl no np nr nu nz om "
    "pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw "
    "sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz "
    "tc td tf tg th tj tk tl tm tn to tr tt tv tw tz "
    "ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw";

// Country codes that are just as often a file extension (.py, .sh, .pl, .pm, .rs, .md, .so,
// .cc, .ml, .mk, .am, .ac, .in, .ps, .la, .mo, .st, .sc, .sv, .tf, .cf, .nc, .mm, .pt, .ar,
// .bz, .gs, .ai, .do, .tk) or a configuration-key word (.id as in mapreduce.job.id, .as).
constexpr std::string_view ambiguous_country_codes =
    "ac ai am ar as bz cc cf do gs id in la md mk ml mm mo nc pl pm ps pt py rs sc sh so st sv "
    "tf tk";

// Sorted: looked up by binary search.
constexpr std::array<std::string_view, 49> long_known = {
    "aero",    "agency",  "arpa",     "asia",    "biz",  "blog",  "cloud",  "club",  "com",
    "company", "coop",    "dev",      "digital", "edu",  "email", "fun",    "gov",   "icu",
    "info",    "int",     "internal", "jobs",    "link", "live",  "llc",    "local", "ltd",
    "mil",     "mobi",    "museum",   "net",     "news", "onion", "online", "org",   "post",
    "shop",    "site",    "space",    "store",   "tech", "tel",   "today",  "top",   "travel",
    "vip",     "website", "win",      "xyz"};

// Generic TLDs that are also file extensions or words in dotted keys (Foo.app, x.zip, a.mov,
// fs.default.name, config.pro, x.cat).
constexpr std::array<std::string_view, 6> long_ambiguous = {"app",  "cat", "mov",
                                                            "name", "pro", "zip"};

static_assert(std::is_sorted(long_known.begin(), long_known.end()));
static_assert(std::is_sorted(long_ambiguous.begin(), long_ambiguous.end()));

bool in_pair_list(std::string_view list, char a, char b) {
  for (std::size_t i = 0; i + 1 < list.size(); i += 3)
    if (list[i] == a && list[i + 1] == b) return true;
  return false;
}

struct two_letter_table {
  std::array<std::uint8_t, 26 * 26> cls{};
  two_letter_table() {
    for (int a = 0; a < 26; ++a)
      for (int b = 0; b < 26; ++b) {
        const char ca = static_cast<char>('a' + a), cb = static_cast<char>('a' + b);
        auto& c = cls[a * 26 + b];
        if (in_pair_list(ambiguous_country_codes, ca, cb))
          c = static_cast<std::uint8_t>(tld_class::ambiguous);
        else if (in_pair_list(country_codes, ca, cb))
          c = static_cast<std::uint8_t>(tld_class::known);
      }
  }
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

tld_class classify_tld(std::string_view label) {
  if (label.size() < 2 || label.size() > 8) return tld_class::unknown;
  char buf[8];
  for (std::size_t i = 0; i < label.size(); ++i) {
    const char c = lower(label[i]);
    if (c < 'a' || c > 'z') return tld_class::unknown;
    buf[i] = c;
  }
  const std::string_view l(buf, label.size());
  if (l.size() == 2) {
    static const two_letter_table table;
    return static_cast<tld_class>(table.cls[(l[0] - 'a') * 26 + (l[1] - 'a')]);
  }
  if (std::binary_search(long_ambiguous.begin(), long_ambiguous.end(), l))
    return tld_class::ambiguous;
  if (std::binary_search(long_known.begin(), long_known.end(), l)) return tld_class::known;
  return tld_class::unknown;
}

}  // namespace seerflow::parse
