// Reading the Loghub format: RFC 4180 CSV (quotes, doubled quotes, commas and line breaks inside
// quotes, CRLF, a BOM) and the structured files of a data folder.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/parse/loghub_corpus.hpp"

namespace sp = seerflow::parse;
namespace fs = std::filesystem;

TEST_CASE("csv fields: plain, quoted, doubled quotes, commas and newlines inside quotes") {
  const auto rows = sp::parse_csv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,,\"line\nbreak\"\n3,last");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::vector<std::string>{"a", "b", "c"});
  CHECK(rows[1] == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(rows[2] == std::vector<std::string>{"2", "", "line\nbreak"});
  CHECK(rows[3] == std::vector<std::string>{"3", "last"});
  CHECK(sp::parse_csv("").empty());
  CHECK(sp::parse_csv("\n\n").empty());
  CHECK(sp::parse_csv("\"\"").size() == 1);
}

TEST_CASE("loading systems from a Loghub-format folder") {
  const fs::path dir = fs::temp_directory_path() / "seerflow_loghub_corpus_test";
  fs::remove_all(dir);
  fs::create_directories(dir / "Demo");
  fs::create_directories(dir / "Broken");
  fs::create_directories(dir / "NotASystem");
  {
    std::ofstream f(dir / "Demo" / "Demo_2k.log_structured_corrected.csv", std::ios::binary);
    f << "LineId,Time,Content,EventId,EventTemplate\r\n"
         "1,now,\"a, b\",E1,\"a, <*>\"\r\n"
         "2,now,plain,E2,plain";
  }
  {
    std::ofstream f(dir / "Broken" / "Broken_2k.log_structured_corrected.csv", std::ios::binary);
    f << "LineId,Text\n1,x\n";
  }
  CHECK(sp::find_loghub_systems(dir) == std::vector<std::string>{"Broken", "Demo"});
  std::string error;
  const auto demo = sp::load_loghub_system(dir, "Demo", &error);
  REQUIRE(demo.has_value());
  CHECK(demo->name == "Demo");
  CHECK(demo->contents == std::vector<std::string>{"a, b", "plain"});
  CHECK(demo->templates == std::vector<std::string>{"a, <*>", "plain"});
  CHECK_FALSE(sp::load_loghub_system(dir, "Broken", &error).has_value());
  CHECK(error.find("Content") != std::string::npos);
  CHECK_FALSE(sp::load_loghub_system(dir, "Missing", &error).has_value());
  CHECK(error.find("cannot open") != std::string::npos);
  CHECK(sp::find_loghub_systems(dir / "nowhere").empty());
  fs::remove_all(dir);
}
