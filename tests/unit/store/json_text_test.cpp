// JSON text for the params and fields columns: exact escaping, and for any bytes at all
// (random, mutated, invalid UTF-8) output that SQLite's JSON parser accepts and reads back.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/store/json_text.hpp"
#include "runtime/store/sqlite_db.hpp"
#include "runtime/util/utf8.hpp"

using namespace seerflow;
using namespace seerflow::store;

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace

TEST_CASE("strings are escaped exactly") {
  CHECK(quoted("") == R"("")");
  CHECK(quoted("plain text 123") == R"("plain text 123")");
  CHECK(quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quoted("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(quoted(std::string("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(quoted("/slash stays") == R"("/slash stays")");
  CHECK(quoted("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80") ==
        "\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"");
  // Invalid UTF-8 becomes U+FFFD (util::repair_utf8), so the JSON is always valid.
  CHECK(quoted("a\xff"
               "b") ==
        "\"a\xef\xbf\xbd"
        "b\"");
  CHECK(quoted("\xe2\x82") == "\"\xef\xbf\xbd\"");
  CHECK(quoted("\xe2\x82\"") == "\"\xef\xbf\xbd\\\"\"");
}

TEST_CASE("arrays and objects") {
  std::string out = "stale";
  write_json_array(out, {});
  CHECK(out.empty());
  write_json_array(out, {"a", "", "c\"d"});
  CHECK(out == R"(["a","","c\"d"])");
  write_json_object(out, {});
  CHECK(out.empty());
  write_json_object(out, {{"k", "v"}, {"k", "again"}, {"", "empty key"}});
  CHECK(out == R"({"k":"v","k":"again","":"empty key"})");
}

TEST_CASE("any bytes give JSON that SQLite accepts and reads back") {
  sqlite_db db(":memory:");
  auto check = db.prepare("SELECT json_valid(?1), ?1 ->> '$[0]', ?1 ->> '$.k'");
  std::mt19937_64 rng(20240917);
  const std::vector<std::string> seeds = {"Failed password for root from 10.0.0.1 port 22 ssh2",
                                          "{\"k\": [1, 2]}", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80",
                                          "tab\there\nnewline \\ backslash \"quote\""};
  std::string arr, obj;
  for (int iter = 0; iter < 5000; ++iter) {
    std::string s;
    if (iter % 2 == 0) {
      s.resize(rng() % 40);
      for (auto& c : s) c = static_cast<char>(rng());
    } else {
      s = seeds[rng() % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < edits && !s.empty(); ++k) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 3) {
          case 0:
            s[at] = static_cast<char>(rng());
            break;
          case 1:
            s.erase(at, 1 + rng() % 3);
            break;
          default:
            s.insert(at, 1, static_cast<char>(rng()));
            break;
        }
      }
    }
    write_json_array(arr, {s});
    write_json_object(obj, {{"k", s}});
    std::string expect = s;
    util::repair_utf8(expect);
    // SQLite's JSON functions stop a string at an escaped NUL.
    expect = expect.substr(0, expect.find('\0'));
    for (const std::string* doc : {&arr, &obj}) {
      check.bind_text(1, *doc);
      REQUIRE(check.step());
      INFO("iteration " << iter << ", document " << *doc);
      REQUIRE(check.column_int64(0) == 1);
      CHECK(check.column_text(doc == &arr ? 1 : 2) == expect);
      check.reset();
    }
  }
}
