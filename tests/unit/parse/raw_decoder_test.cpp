#include "runtime/parse/raw_decoder.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "runtime/parse/level_word.hpp"
#include "runtime/parse/syslog_decoder.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"
#include "tests/unit/parse/loghub.hpp"

using seerflow::model::event;
using seerflow::parse::decode_notes;
using seerflow::parse::decode_options;
using seerflow::parse::decode_raw;
using seerflow::parse::find_level_word;
using seerflow::parse::rejection;
using seerflow::util::format_rfc3339;
using seerflow::util::to_unix_ns;

namespace {

struct decoded {
  bool ok = false;
  event ev;
  rejection why;
  decode_notes notes;
  std::string time() const { return ev.time_from_log ? format_rfc3339(ev.time_ns) : "none"; }
};

decoded run(std::string_view line, const decode_options& o = {}) {
  decoded d;
  d.ev.time_ns = 99;
  d.ok = decode_raw(line, o, d.ev, d.why, d.notes);
  return d;
}

int level(std::string_view line) {
  return run(line).ev.severity;
}

}  // namespace

TEST_CASE("the whole line is the message - a leading stamp gives the time") {
  const auto d = run("2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: started\r\n");
  REQUIRE(d.ok);
  CHECK(d.ev.message == "2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: started");
  CHECK(d.time() == "2015-10-18T18:01:47.978Z");
  CHECK(d.ev.time_ns == 1445191307978000000);
  CHECK(d.ev.severity == 6);
  CHECK(d.ev.facility == -1);
  CHECK_FALSE(d.notes.time_missing);
  CHECK_FALSE(d.notes.header_missing);

  const auto n = run("no stamp here, just words");
  REQUIRE(n.ok);
  CHECK(n.ev.message == "no stamp here, just words");
  CHECK_FALSE(n.ev.time_from_log);
  CHECK(n.ev.time_ns == 99);  // left as the caller set it
  CHECK(n.notes.time_missing);
  CHECK(n.ev.severity == -1);

  decode_options o;
  o.time.utc_offset_s = 3600;
  CHECK(run("2015-10-18 18:01:47 x", o).time() == "2015-10-18T17:01:47Z");
}

TEST_CASE("raw decoding clears what it does not fill and leaves transport facts alone") {
  event ev;
  ev.seq = 3;
  ev.source = "app";
  ev.peer = "file:/var/log/app.log:17";
  ev.arrival_ns = 11;
  ev.host = "h";
  ev.app = "a";
  ev.procid = "1";
  ev.msgid = "m";
  ev.facility = 3;
  ev.fields = {{"k", "v"}};
  rejection why;
  decode_notes notes;
  REQUIRE(decode_raw("hello", decode_options{}, ev, why, notes));
  CHECK(ev.seq == 3);
  CHECK(ev.source == "app");
  CHECK(ev.peer == "file:/var/log/app.log:17");
  CHECK(ev.arrival_ns == 11);
  CHECK(ev.host.empty());
  CHECK(ev.app.empty());
  CHECK(ev.procid.empty());
  CHECK(ev.msgid.empty());
  CHECK(ev.facility == -1);
  CHECK(ev.fields.empty());
  CHECK(ev.message == "hello");
}

TEST_CASE("level words in the first tokens, in any case and bracket") {
  CHECK(level("FATAL boom") == 2);
  CHECK(level("2020-01-01 00:00:00 CRITICAL x") == 2);
  CHECK(level("2020-01-01 00:00:00 crit x") == 2);
  CHECK(level("2020-01-01 00:00:00 [ERROR] x") == 3);
  CHECK(level("2020-01-01 00:00:00 err: x") == 3);
  CHECK(level("2020-01-01 00:00:00 Warning x") == 4);
  CHECK(level("2020-01-01 00:00:00 <warn> x") == 4);
  CHECK(level("2020-01-01 00:00:00 (NOTICE) x") == 5);
  CHECK(level("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok") == 5);
  CHECK(level("2020-01-01 00:00:00 pid=4 level=info msg=x") == 6);
  CHECK(level("2020-01-01 00:00:00 host app DEBUG x") == 7);
  CHECK(level("2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]") == 6);
  CHECK(level("081109 203615 148 INFO dfs.DataNode$PacketResponder: x") == 6);
  CHECK(level("20171223-22:15:29:606|Step_LSC|TRACE|x") == 7);
  CHECK(level("WARNING:root:disk almost full") == 4);
  // Not level words: other words, longer words, syslog keywords outside the list, too far in.
  CHECK(level("2020-01-01 00:00:00 started ok") == -1);
  CHECK(level("2020-01-01 00:00:00 ERRORS x") == -1);
  CHECK(level("2020-01-01 00:00:00 alert sent to ops") == -1);
  CHECK(level("2020-01-01 00:00:00 informational x") == -1);
  CHECK(level("2020-01-01 00:00:00 a b c d ERROR") == -1);
  CHECK(level("2020-01-01 00:00:00 [ERROR x") == -1);
  CHECK(find_level_word("", 4) == -1);
  CHECK(find_level_word("   ", 4) == -1);
  CHECK(find_level_word("a b ERROR", 2) == -1);
  CHECK(find_level_word("a b ERROR", 3) == 3);
}

TEST_CASE("raw rejections: empty, binary, oversized, invalid UTF-8") {
  CHECK(run("").why.reason == "empty");
  CHECK(run("\r\n").why.reason == "empty");
  CHECK(run(std::string("a\0b", 3)).why.reason == "binary");
  CHECK(run("\x1b\x1b\x1b\x1b").why.reason == "binary");
  decode_options o;
  o.max_message = 8;
  CHECK(run("12345678", o).ok);
  const auto big = run("123456789", o);
  CHECK_FALSE(big.ok);
  CHECK(big.why.reason == "oversized");
  CHECK(big.why.detail == "message of 9 bytes exceeds the limit of 8");
  CHECK(big.ev.time_ns == 99);  // untouched
  CHECK(big.ev.message.empty());

  const auto repaired = run("bad \xFF byte");
  REQUIRE(repaired.ok);
  CHECK(repaired.notes.utf8_repaired);
  CHECK(repaired.ev.message == "bad \xEF\xBF\xBD byte");
  o.max_message = 100;
  o.reject_invalid_utf8 = true;
  const auto refused = run("bad \xFF byte", o);
  CHECK(refused.why.reason == "invalid_utf8");
  CHECK(refused.why.detail == "invalid UTF-8 at byte 4");
  // Coloured terminal output (a few ESC bytes) is text, not binary.
  CHECK(run("\x1b[31mERROR\x1b[0m disk full").ok);
}

TEST_CASE("every loghub line decodes raw with its time - levels match loghub's Level column") {
  struct level_column {
    const char* name;
    std::size_t column;
  };
  const level_column with_levels[] = {
      {"Apache", 2}, {"HDFS", 4}, {"Hadoop", 3}, {"Spark", 3}, {"Zookeeper", 3}};
  for (const char* name : seerflow::test::loghub_names) {
    INFO(name);
    decode_options o;
    o.time.reference_ns = to_unix_ns(2010, 1, 1, 0, 0, 0);
    const auto lines = seerflow::test::loghub_lines(name);
    REQUIRE(lines.size() == 2000);
    std::size_t with_time = 0;
    for (const auto& line : lines) {
      const auto d = run(line, o);
      INFO(line);
      REQUIRE(d.ok);
      CHECK(d.ev.message == std::string_view(line).substr(0, line.find('\r')));
      if (d.ev.time_from_log) {
        ++with_time;
        o.time.reference_ns = d.ev.time_ns;
      }
    }
    CHECK(with_time == lines.size());
  }
  for (const auto& c : with_levels) {
    INFO(c.name);
    const auto lines = seerflow::test::loghub_lines(c.name);
    const auto rows = seerflow::test::loghub_structured(c.name);
    REQUIRE(rows.size() == lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      INFO(lines[i]);
      CHECK(run(lines[i]).ev.severity == seerflow::parse::find_level_word(rows[i][c.column], 1));
      CHECK(run(lines[i]).ev.severity >= 2);
    }
  }
}

TEST_CASE("the loghub logs decode raw to their span of time, replayed in order") {
  // Lines are nearly sorted (Apache and Linux step back a few seconds now and then); Hadoop's
  // log interleaves threads and is left out.
  struct span {
    const char* name;
    std::int64_t ref_year;
    unsigned ref_month;
    const char* first;
    const char* last;
  };
  const span spans[] = {
      {"Apache", 2005, 6, "2005-12-04T04:47:44Z", "2005-12-05T19:15:57Z"},
      {"HDFS", 2008, 6, "2008-11-09T20:36:15Z", "2008-11-11T10:20:17Z"},
      {"HealthApp", 2017, 6, "2017-12-23T22:15:29.606Z", "2017-12-24T01:02:35.789Z"},
      {"Linux", 2005, 6, "2005-06-14T15:16:01Z", "2005-07-27T14:42:00Z"},
      {"OpenSSH", 2017, 12, "2017-12-10T06:55:46Z", "2017-12-10T11:04:45Z"},
      {"Spark", 2017, 6, "2017-06-09T20:10:40Z", "2017-06-09T20:11:11Z"},
  };
  for (const auto& sp : spans) {
    INFO(sp.name);
    decode_options o;
    o.time.reference_ns = to_unix_ns(sp.ref_year, sp.ref_month, 1, 0, 0, 0);
    std::int64_t previous = 0, largest_step_back = 0;
    std::string first, last;
    for (const auto& line : seerflow::test::loghub_lines(sp.name)) {
      const auto d = run(line, o);
      REQUIRE(d.ev.time_from_log);
      if (first.empty()) first = d.time();
      last = d.time();
      if (previous != 0) largest_step_back = std::max(largest_step_back, previous - d.ev.time_ns);
      previous = d.ev.time_ns;
      o.time.reference_ns = d.ev.time_ns;
    }
    CHECK(first == sp.first);
    CHECK(last == sp.last);
    CHECK(largest_step_back <= 10 * seerflow::util::ns_per_second);
  }
}

TEST_CASE("randomized lines never crash and are always accepted or rejected with a reason") {
  std::mt19937_64 rng(1234);
  const std::string seeds[] = {
      "2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: started",
      "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
      "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating",
      "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
      "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered",
  };
  decode_options o;
  o.max_message = 120;
  std::size_t accepted = 0, rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = seeds[rng() % std::size(seeds)];
    if (iter % 4 == 0) {
      s.resize(rng() % 200);
      for (auto& c : s) c = static_cast<char>(rng());
    } else {
      for (int m = static_cast<int>(rng() % 5); m >= 0; --m) {
        const std::size_t pos = rng() % (s.size() + 1);
        switch (rng() % 4) {
          case 0:
            if (pos < s.size()) s[pos] = static_cast<char>(rng());
            break;
          case 1:
            s.insert(pos, std::string(rng() % 80, ' '));
            break;
          case 2:
            if (pos < s.size()) s.erase(pos, 1);
            break;
          case 3:
            s.resize(pos);
            break;
        }
      }
    }
    event ev;
    rejection why;
    decode_notes notes;
    if (decode_raw(s, o, ev, why, notes)) {
      ++accepted;
      REQUIRE(seerflow::util::is_valid_utf8(ev.message));
      REQUIRE(ev.message.size() <= o.max_message);
      REQUIRE(ev.severity >= -1);
      REQUIRE(ev.severity <= 7);
    } else {
      ++rejected;
      REQUIRE(!why.reason.empty());
      REQUIRE(!why.detail.empty());
    }
  }
  CHECK(accepted > 5000);
  CHECK(rejected > 1000);
}
