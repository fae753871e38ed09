#include "runtime/parse/json_flattener.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/util/utf8.hpp"

using seerflow::model::field;
using seerflow::parse::json_flattener;
using seerflow::parse::json_kind;
using ojson = nlohmann::ordered_json;

namespace {

// Random JSON text: every value kind, random blanks, escapes, surrogate pairs, number forms.
class json_generator {
 public:
  explicit json_generator(std::uint64_t seed) : rng_(seed) {}

  std::string object_text() {
    std::string s;
    object(s, 0);
    return s;
  }

 private:
  std::size_t pick(std::size_t n) { return rng_() % n; }

  void blanks(std::string& s) {
    static const char* const options[] = {"", "", "", " ", "\t", "\n ", "\r\n"};
    s += options[pick(std::size(options))];
  }

  void string(std::string& s) {
    static const char* const pieces[] = {
        "a",
        "msg",
        "x y",
        "\\\"",
        "\\\\",
        "\\/",
        "\\n",
        "\\t",
        "\\b",
        "\\f",
        "\\r",
        "\\u00e9",
        "\\u0041",
        "\\u0000",
        "\\u001f",
        "\xC3\xA9",
        "\xE2\x9C\x93",
        "\\ud83d\\ude00",
        "\xF0\x9F\x98\x80",
        ".",
        "message",
        "level",
        "ts",
        "@timestamp",
    };
    s += '"';
    for (std::size_t n = pick(4); n > 0; --n) s += pieces[pick(std::size(pieces))];
    s += '"';
  }

  void number(std::string& s) {
    static const char* const forms[] = {"0",
                                        "-0",
                                        "7",
                                        "-12",
                                        "1.50",
                                        "3.25e2",
                                        "1E-3",
                                        "-0.0",
                                        "1e+10",
                                        "12345678901234567890123",
                                        "1514038530123",
                                        "2.5E+0"};
    s += forms[pick(std::size(forms))];
  }

  void value(std::string& s, int depth) {
    const std::size_t k = pick(depth > 4 ? 6 : 8);
    switch (k) {
      case 0:
        string(s);
        break;
      case 1:
        number(s);
        break;
      case 2:
        s += "true";
        break;
      case 3:
        s += "false";
        break;
      case 4:
        s += "null";
        break;
      case 5:
        string(s);
        break;
      case 6:
        object(s, depth + 1);
        break;
      case 7:
        array(s, depth + 1);
        break;
    }
  }

  void object(std::string& s, int depth) {
    s += '{';
    blanks(s);
    for (std::size_t n = pick(5), i = 0; i < n; ++i) {
      if (i > 0) s += ',';
      blanks(s);
      string(s);
      blanks(s);
      s += ':';
      blanks(s);
      value(s, depth);
      blanks(s);
    }
    s += '}';
  }

  void array(std::string& s, int depth) {
    s += '[';
    for (std::size_t n = pick(4), i = 0; i < n; ++i) {
      if (i > 0) s += ',';
      blanks(s);
      value(s, depth);
      blanks(s);
    }
    s += ']';
  }

  std::mt19937_64 rng_;
};

// The members nlohmann's reading implies, in document order, compared by meaning for numbers
// and arrays (we keep numbers as written; nlohmann re-serialises them).
void expected_members(const ojson& obj, const std::string& prefix, std::vector<field>& out,
                      std::vector<json_kind>& kinds) {
  for (const auto& [k, v] : obj.items()) {
    const std::string key = prefix + k;
    if (v.is_object()) {
      if (v.empty()) {
        out.push_back({key, "{}"});
        kinds.push_back(json_kind::composite);
      } else {
        expected_members(v, key + ".", out, kinds);
      }
    } else if (v.is_array()) {
      out.push_back({key, v.dump()});
      kinds.push_back(json_kind::composite);
    } else if (v.is_string()) {
      out.push_back({key, v.get<std::string>()});
      kinds.push_back(json_kind::string);
    } else if (v.is_number()) {
      out.push_back({key, v.dump()});
      kinds.push_back(json_kind::number);
    } else {
      out.push_back({key, v.dump()});
      kinds.push_back(v.is_null() ? json_kind::null : json_kind::boolean);
    }
  }
}

std::size_t keys_kept(const ojson& v) {
  std::size_t n = 0;
  if (v.is_object()) n += v.size();
  if (v.is_structured())
    for (const auto& child : v) n += keys_kept(child);
  return n;
}

void check_against_nlohmann(const std::string& text) {
  json_flattener f;
  const bool ok = f.flatten(text);
  if (!ok && f.error_reason == "too_deep") return;
  const bool starts_with_object = text.find_first_not_of(" \t\r\n") != std::string::npos &&
                                  text[text.find_first_not_of(" \t\r\n")] == '{';
  const bool accepted_by_nlohmann = ojson::accept(text);
  if (ok && !accepted_by_nlohmann) {
    // Numbers are kept as written, so one beyond double's range is fine for us; that must be
    // nlohmann's only objection (out_of_range 406, number overflow).
    int id = 0;
    try {
      const ojson parsed = ojson::parse(text);
      id = parsed.is_object() ? 0 : -2;
    } catch (const ojson::out_of_range& e) {
      id = e.id;
    } catch (const ojson::exception&) {
      id = -1;
    }
    REQUIRE(id == 406);
    return;
  }
  if (ok) {
    REQUIRE(accepted_by_nlohmann);
  } else if (starts_with_object) {
    REQUIRE(f.error_reason == "bad_json");
    REQUIRE_FALSE(accepted_by_nlohmann);
    return;
  } else {
    return;
  }
  // Duplicate keys in one object: nlohmann keeps one, we keep all; nothing to compare.
  std::size_t keys_read = 0;
  const ojson dom = ojson::parse(text, [&](int, ojson::parse_event_t event, ojson&) {
    keys_read += event == ojson::parse_event_t::key;
    return true;
  });
  if (keys_read != keys_kept(dom)) return;
  std::vector<field> want;
  std::vector<json_kind> want_kinds;
  expected_members(dom, "", want, want_kinds);
  REQUIRE(f.members.size() == want.size());
  REQUIRE(f.kinds == want_kinds);
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(want[i].key);
    REQUIRE(f.members[i].key == want[i].key);
    if (f.kinds[i] == json_kind::number || f.kinds[i] == json_kind::composite)
      REQUIRE(ojson::parse(f.members[i].value) == ojson::parse(want[i].value));
    else
      REQUIRE(f.members[i].value == want[i].value);
  }
}

}  // namespace

TEST_CASE("flattening: order, dotted keys, arrays as compact JSON, numbers as written") {
  json_flattener f;
  REQUIRE(
      f.flatten(R"( {"a":{"b":{"c":1.50},"e":{}},"arr":[ 1 , "x\u00e9" , {"k" : [true,null]} ],)"
                R"("s":"q\"\\\/\n","n":-0,"big":1e400} )"));
  CHECK(f.members == std::vector<field>{{"a.b.c", "1.50"},
                                        {"a.e", "{}"},
                                        {"arr", R"([1,"x)"
                                                "\xC3\xA9"
                                                R"(",{"k":[true,null]}])"},
                                        {"s", "q\"\\/\n"},
                                        {"n", "-0"},
                                        {"big", "1e400"}});
  CHECK(f.kinds == std::vector<json_kind>{json_kind::number, json_kind::composite,
                                          json_kind::composite, json_kind::string,
                                          json_kind::number, json_kind::number});
  REQUIRE(f.flatten("{}"));
  CHECK(f.members.empty());  // reset between calls
  REQUIRE(f.flatten(R"({"e":"\ud83d\ude00\u0000"})"));
  CHECK(f.members[0].value == std::string("\xF0\x9F\x98\x80\0", 5));
}

TEST_CASE("errors name the byte where the text stops being JSON") {
  json_flattener f;
  auto error = [&](std::string_view s) {
    CHECK_FALSE(f.flatten(s));
    return std::string(f.error_reason) + " " + f.error_detail;
  };
  CHECK(error(R"({"a":})") == "bad_json at byte 5: expected a value");
  CHECK(error(R"({"a":1,})") == "bad_json at byte 7: expected a string key");
  CHECK(error(R"({"a" 1})") == "bad_json at byte 5: expected ':' after the key");
  CHECK(error(R"({"a":1 "b":2})") == "bad_json at byte 7: expected ',' or '}'");
  CHECK(error(R"({"a":"x)") == "bad_json at byte 7: unterminated string");
  CHECK(error(R"({"a":"\x"})") == "bad_json at byte 6: invalid escape in a string");
  CHECK(error(R"({"a":"\u12"})") == "bad_json at byte 6: \\u needs four hex digits");
  CHECK(error(R"({"a":"\udc00"})") == "bad_json at byte 6: lone low surrogate");
  CHECK(error(R"({"a":"\ud800x"})") ==
        "bad_json at byte 6: high surrogate without a low surrogate");
  CHECK(error("{\"a\":\"\t\"}") == "bad_json at byte 6: control character in a string");
  CHECK(error(R"({"a":01})") == "bad_json at byte 6: expected ',' or '}'");
  CHECK(error(R"({"a":1.})") == "bad_json at byte 7: invalid number");
  CHECK(error(R"({"a":-})") == "bad_json at byte 6: invalid number");
  CHECK(error(R"({"a":1e})") == "bad_json at byte 7: invalid number");
  CHECK(error(R"({"a":tru})") == "bad_json at byte 5: invalid literal");
  CHECK(error(R"({"a":[1,]})") == "bad_json at byte 8: expected a value");
  CHECK(error(R"({"a":[1 2]})") == "bad_json at byte 8: expected ',' or ']'");
  CHECK(error(R"({"a":1} {})") == "bad_json at byte 8: unexpected text after the object");
  CHECK(error("") == "bad_json at byte 0: unexpected end of input");
  CHECK(error("   ") == "bad_json at byte 3: unexpected end of input");
  CHECK(error("[1,") == "not_object the line is JSON but not an object");
  CHECK(error(R"("s")") == "not_object the line is JSON but not an object");
  CHECK(error("-5") == "not_object the line is JSON but not an object");
  CHECK(error(R"("s)") == "bad_json at byte 2: unterminated string");
}

TEST_CASE("nesting is limited to 64 levels, counting the outer object") {
  json_flattener f;
  std::string ok = "{\"a\":", bad = "{\"a\":";
  for (int i = 1; i < 64; ++i) ok += "[";
  for (int i = 1; i < 64; ++i) ok += "]";
  ok += "}";
  for (int i = 1; i < 65; ++i) bad += "{\"k\":";
  CHECK(f.flatten(ok));
  CHECK(f.members == std::vector<field>{{"a", std::string(63, '[') + std::string(63, ']')}});
  CHECK_FALSE(f.flatten(bad));
  CHECK(f.error_reason == "too_deep");
  CHECK(f.error_detail == "JSON nests deeper than 64 levels");
}

TEST_CASE("random JSON documents and their mutations read as nlohmann reads them") {
  json_generator gen(8259);
  std::mt19937_64 rng(42);
  std::size_t accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string text = gen.object_text();
    if (iter % 2 == 1) {
      for (int m = static_cast<int>(rng() % 3); m >= 0; --m) {
        const std::size_t pos = rng() % (text.size() + 1);
        static const char alphabet[] = "{}[]\":,\\ 0123456789.eE+-tfnu\x01";
        switch (rng() % 3) {
          case 0:
            if (pos < text.size()) text[pos] = alphabet[rng() % (sizeof alphabet - 1)];
            break;
          case 1:
            text.insert(pos, 1, alphabet[rng() % (sizeof alphabet - 1)]);
            break;
          case 2:
            if (pos < text.size()) text.erase(pos, 1);
            break;
        }
      }
    }
    if (!seerflow::util::is_valid_utf8(text)) continue;
    INFO(text);
    json_flattener f;
    accepted += f.flatten(text);
    check_against_nlohmann(text);
  }
  CHECK(accepted > 11000);
}
