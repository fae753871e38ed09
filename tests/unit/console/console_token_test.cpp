#include "runtime/console/console_token.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

using namespace seerflow::console;
namespace fs = std::filesystem;

namespace {
fs::path scratch() {
  auto d = fs::temp_directory_path() / ("seerflow-token-" + std::to_string(std::random_device{}()));
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("a token is made once, kept private, and read back", "[console][token]") {
  const auto dir = scratch();
  const auto t1 = load_or_create_token("", dir);
  CHECK(t1.size() == 64);
  struct stat st {};
  REQUIRE(::stat((dir / "console.token").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(load_or_create_token("", dir) == t1);
  CHECK(read_token_file(dir) == t1);
  CHECK(load_or_create_token("configured-token-0123456789", dir) == "configured-token-0123456789");
  fs::remove_all(dir);
}

TEST_CASE("unusable tokens are refused with a reason", "[console][token]") {
  const auto dir = scratch();
  CHECK_THROWS_WITH(load_or_create_token("short", dir), Catch::Contains("16 to 512"));
  CHECK_THROWS(load_or_create_token("has a space in the middle!", dir));
  std::ofstream(dir / "console.token") << "x\n";
  CHECK_THROWS_WITH(load_or_create_token("", dir), Catch::Contains("no usable token"));
  CHECK(read_token_file(dir / "missing").empty());
  fs::remove_all(dir);
}

TEST_CASE("bearer headers are matched exactly", "[console][token]") {
  const std::string token = "0123456789abcdef0123";
  const std::string good = "Bearer " + token, lower = "bearer " + token;
  const std::string wrong = "Bearer " + token + "x", basic = "Basic " + token, bare = token;
  CHECK(bearer_matches(&good, token));
  CHECK(bearer_matches(&lower, token));
  CHECK_FALSE(bearer_matches(&wrong, token));
  CHECK_FALSE(bearer_matches(&basic, token));
  CHECK_FALSE(bearer_matches(&bare, token));
  CHECK_FALSE(bearer_matches(nullptr, token));
  CHECK_FALSE(bearer_matches(&good, ""));
}
