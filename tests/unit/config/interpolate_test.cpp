#include "runtime/config/interpolate.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::env_of;

namespace {

struct expansion {
  bool ok;
  std::string value;
  std::vector<std::string> errors;
};

expansion expand(std::string_view text, const env_lookup& env) {
  expansion e;
  e.ok = interpolate(text, env, e.value, e.errors);
  return e;
}

}  // namespace

TEST_CASE("interpolation replaces set variables and keeps plain text") {
  const auto env = env_of({{"PORT", "6000"}, {"HOST", "db"}, {"EMPTY", ""}});
  CHECK(expand("plain", env).value == "plain");
  CHECK(expand("${PORT}", env).value == "6000");
  CHECK(expand("tcp://${HOST}:${PORT}/x", env).value == "tcp://db:6000/x");
  CHECK(expand("${EMPTY}", env).value == "");
  CHECK(expand("${EMPTY}", env).ok);
  CHECK(expand("cost $5 and $ {X} and $", env).value == "cost $5 and $ {X} and $");
}

TEST_CASE("interpolation defaults apply when unset or empty") {
  const auto env = env_of({{"SET", "value"}, {"EMPTY", ""}});
  CHECK(expand("${UNSET:-fallback}", env).value == "fallback");
  CHECK(expand("${EMPTY:-fallback}", env).value == "fallback");
  CHECK(expand("${SET:-fallback}", env).value == "value");
  CHECK(expand("${UNSET:-}", env).value == "");
  CHECK(expand("${UNSET:-a:b c-d}", env).value == "a:b c-d");
  CHECK(expand("${UNSET:-{x}", env).value == "{x");
}

TEST_CASE("interpolation escape $${ yields a literal ${") {
  const auto env = env_of({{"A", "1"}});
  CHECK(expand("$${A}", env).value == "${A}");
  CHECK(expand("$${A} ${A}", env).value == "${A} 1");
  CHECK(expand("$$${A}", env).value == "$${A}");  // a lone '$', then the escape
  CHECK(expand("$$", env).value == "$$");
  for (std::string s : {"${", "$${", "$$${", "a${b}c", "x$", "$${A}$"}) {
    INFO(s);
    const auto e = expand(escape_interpolation(s), env);
    CHECK(e.ok);
    CHECK(e.value == s);
  }
}

TEST_CASE("interpolation errors name the variable") {
  const auto env = env_of({{"A", "1"}});
  auto e = expand("${MISSING}", env);
  CHECK_FALSE(e.ok);
  CHECK(e.errors == std::vector<std::string>{
                        "environment variable MISSING is not set (write ${MISSING:-default} to "
                        "give a fallback)"});
  e = expand("${X} and ${Y} and ${A}", env);
  CHECK_FALSE(e.ok);
  REQUIRE(e.errors.size() == 2);
  CHECK(e.errors[0].find("variable X is not set") != std::string::npos);
  CHECK(e.errors[1].find("variable Y is not set") != std::string::npos);

  e = expand("abc ${A", env);
  CHECK_FALSE(e.ok);
  CHECK(e.errors == std::vector<std::string>{"unterminated '${' (write '$${' for a literal '${')"});

  e = expand("${}", env);
  CHECK(e.errors == std::vector<std::string>{"invalid environment variable name '' in '${}' "
                                             "(names are letters, digits and '_')"});
  e = expand("${A-b}", env);
  CHECK(e.errors == std::vector<std::string>{"invalid environment variable name 'A-b' in "
                                             "'${A-b}' (names are letters, digits and '_')"});
  e = expand("${9A}", env);
  CHECK_FALSE(e.ok);
}

TEST_CASE("interpolated text is never re-expanded") {
  const auto env = env_of({{"A", "${B}"}, {"B", "no"}});
  CHECK(expand("${A}", env).value == "${B}");
}
