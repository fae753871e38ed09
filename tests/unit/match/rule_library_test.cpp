// The rule library: rule directories beside the bundled rules, and `expand` placeholders from
// the configuration (sigma.placeholders) — without a value the rule is rejected with a reason,
// with one it loads and matches each listed value.
#include "rules/match/rule_library.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace seerflow;
namespace fs = std::filesystem;

TEST_CASE("expand placeholders come from sigma.placeholders") {
  const fs::path dir = fs::temp_directory_path() / ("seerflow-lib-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "admins.yml") << "title: admin login\n"
                                       "id: 66666666-6666-4666-8666-666666666666\n"
                                       "logsource: {product: linux}\n"
                                       "detection:\n"
                                       "  sel: {user|expand: '%Admins%'}\n"
                                       "  condition: sel\n";
  rules::library_options opts;
  opts.bundled = false;
  opts.dirs = {dir.string()};
  rules::library_report report;
  auto rs = rules::load_library(opts, report);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].reason.find("Admins") != std::string::npos);
  CHECK(rs->rules().empty());

  opts.placeholders = {"Admins=root,adm*"};
  rs = rules::load_library(opts, report);
  CHECK(report.rejected.empty());
  REQUIRE(rs->rules().size() == 1);
  rules::field_view ev(rs->fields());
  rules::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  for (const char* user : {"root", "admin7", "alice"}) {
    ev.clear();
    ev.add("user", user);
    hits.clear();
    rs->evaluate(rs->all_rules(), ev, scratch, hits);
    CHECK(hits.size() == (std::string(user) == "alice" ? 0u : 1u));
  }
  fs::remove_all(dir);
}
