// The TCP syslog framer: octet counting and LF framing (RFC 6587), detected per frame, fed in
// arbitrary pieces.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runtime/net/syslog_framer.hpp"

using seerflow::net::syslog_framer;
using namespace std::string_literals;

namespace {

struct outcome {
  std::vector<std::string> records;
  std::vector<std::string> reasons;
  std::vector<std::string> details;
  bool open = true;  // false once feed() asked to close
};

// Feeds `chunks` in order (stopping at the first false), then finish() if still open.
outcome run(syslog_framer& f, const std::vector<std::string>& chunks, bool finish = true) {
  outcome out;
  auto on_record = [&](std::string_view r) {
    REQUIRE(out.open);
    out.records.emplace_back(r);
  };
  auto on_reject = [&](std::string_view reason, std::string_view detail) {
    REQUIRE(out.open);
    out.reasons.emplace_back(reason);
    out.details.emplace_back(detail);
  };
  for (const auto& c : chunks) {
    if (!f.feed(c, on_record, on_reject)) {
      out.open = false;
      break;
    }
  }
  if (finish && out.open) f.finish(on_record, on_reject);
  return out;
}

outcome run_once(const std::string& stream, std::size_t max_record = 1024,
                 syslog_framer::framing mode = syslog_framer::framing::detect) {
  syslog_framer f(max_record, mode);
  return run(f, {stream});
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("LF framing delivers each line without its terminator") {
  auto out = run_once("<13>Oct 11 22:14:15 host app: one\n<14>two\n");
  CHECK(out.records == strings{"<13>Oct 11 22:14:15 host app: one", "<14>two"});
  CHECK(out.reasons.empty());
}

TEST_CASE("CRLF, NUL terminators and blank lines are tolerated") {
  CHECK(run_once("<13>a\r\n<14>b\r\n").records == strings{"<13>a", "<14>b"});
  CHECK(run_once("<13>a\0<14>b\0"s).records == strings{"<13>a", "<14>b"});
  CHECK(run_once("<13>a\0\n<14>b\r\n\0"s).records == strings{"<13>a", "<14>b"});
  auto out = run_once("\n\n\r\n<13>a\n\n\n<14>b\n\r\n");
  CHECK(out.records == strings{"<13>a", "<14>b"});
  CHECK(out.reasons.empty());
}

TEST_CASE("octet counting delivers exactly the counted bytes") {
  auto out = run_once("5 <13>a6 <14>bb");
  CHECK(out.records == strings{"<13>a", "<14>bb"});
  // A counted record may contain LF; one trailing LF inside the count is not part of it.
  CHECK(run_once("9 <13>a\nb c").records == strings{"<13>a\nb c"});
  CHECK(run_once("7 <13>ab\n").records == strings{"<13>ab"});
  CHECK(run_once("8 <13>ab\r\n").records == strings{"<13>ab"});
  // Senders that put an LF after each counted frame.
  CHECK(run_once("5 <13>a\n6 <14>bb\n").records == strings{"<13>a", "<14>bb"});
  // Leading zeros in the count are accepted.
  CHECK(run_once("005 <13>a").records == strings{"<13>a"});
}

TEST_CASE("octet counting and LF framing mixed on one stream") {
  auto out = run_once("5 <13>a<14>lf one\n6 <15>cc<16>lf two\r\n11 <17>x\ny z w\n");
  CHECK(out.records == strings{"<13>a", "<14>lf one", "<15>cc", "<16>lf two", "<17>x\ny z w"});
  CHECK(out.reasons.empty());
}

TEST_CASE("finish delivers a trailing unterminated LF record") {
  syslog_framer f(1024);
  auto out = run(f, {"<13>a\n<14>tail"}, false);
  CHECK(out.records == strings{"<13>a"});
  CHECK(f.mid_record());
  CHECK(f.buffered() == 8);
  std::vector<std::string> got;
  f.finish([&](std::string_view r) { got.emplace_back(r); },
           [&](std::string_view, std::string_view) { FAIL("no rejection expected"); });
  CHECK(got == strings{"<14>tail"});
  CHECK_FALSE(f.mid_record());
  CHECK(f.buffered() == 0);
  // After finish the framer is at a frame start again.
  CHECK(run(f, {"<15>next\n"}).records == strings{"<15>next"});
}

TEST_CASE("a stream ending inside an octet-counted frame is truncated") {
  auto body = run_once("5 <13>a10 <14>");
  CHECK(body.records == strings{"<13>a"});
  CHECK(body.reasons == strings{"truncated"});
  CHECK(body.details[0] == "stream ended after 4 of 10 bytes of an octet-counted record");

  auto count = run_once("5 <13>a12");
  CHECK(count.records == strings{"<13>a"});
  CHECK(count.reasons == strings{"truncated"});
  CHECK(count.details[0] == "stream ended inside an octet count");

  auto nothing = run_once("5 <13>a10 ");
  CHECK(nothing.reasons == strings{"truncated"});
  CHECK(nothing.details[0] == "stream ended after 0 of 10 bytes of an octet-counted record");
}

TEST_CASE("abandon counts a partial record as truncated, and nothing otherwise") {
  syslog_framer f(1024);
  std::vector<std::pair<std::string, std::string>> rejected;
  auto on_reject = [&](std::string_view r, std::string_view d) { rejected.emplace_back(r, d); };
  auto ignore = [](std::string_view) {};
  REQUIRE(f.feed("<13>partial", ignore, on_reject));
  f.abandon("connection reset by peer", on_reject);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].first == "truncated");
  CHECK(rejected[0].second == "unterminated record of 11 bytes lost: connection reset by peer");

  rejected.clear();
  REQUIRE(f.feed("10 <13>", ignore, on_reject));
  f.abandon("idle timeout", on_reject);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].second == "4 of 10 bytes of an octet-counted record lost: idle timeout");

  rejected.clear();
  REQUIRE(f.feed("<13>whole\n", ignore, on_reject));
  f.abandon("receiver stopped", on_reject);
  CHECK(rejected.empty());
}

TEST_CASE("an oversized LF record is discarded up to its LF and reported once") {
  SECTION("whole record in one read") {
    auto out = run_once("<13>0123456789\n<14>ok\n", 10);
    CHECK(out.records == strings{"<14>ok"});
    CHECK(out.reasons == strings{"oversized"});
    CHECK(out.details[0] == "record of 14 bytes exceeds max_record 10");
  }
  SECTION("record spread over many reads") {
    syslog_framer f(10);
    auto out = run(f, {"<13>0123456", "789", "more and more", "\r", "and more\r\n<14>ok\n"});
    CHECK(out.records == strings{"<14>ok"});
    CHECK(out.reasons == strings{"oversized"});
    CHECK(out.details[0] ==
          "record exceeds max_record 10 (14 bytes so far without a line feed); discarding up "
          "to the next line feed");
  }
  SECTION("oversized unterminated tail at end of stream") {
    auto out = run_once("<14>ok\n<13>0123456789", 10);
    CHECK(out.records == strings{"<14>ok"});
    CHECK(out.reasons == strings{"oversized"});
  }
  SECTION("exactly max_record is accepted, with or without CRLF, whole or split") {
    CHECK(run_once("0123456789\n", 10, syslog_framer::framing::lf).records ==
          strings{"0123456789"});
    CHECK(run_once("<123456789\r\n", 10).records == strings{"<123456789"});
    syslog_framer f(10);
    CHECK(run(f, {"<123456789\r", "\n<1>next\n"}).records == strings{"<123456789", "<1>next"});
    syslog_framer g(10);
    CHECK(run(g, {"<123456789", "\r\n"}).records == strings{"<123456789"});
    CHECK(run_once("<123456789X\n", 10).reasons == strings{"oversized"});
  }
}

TEST_CASE("an oversized octet-counted record is skipped and reported") {
  SECTION("in one read") {
    auto out = run_once("11 <13>abcdefg<14>ok\n5 <15>c", 10);
    CHECK(out.records == strings{"<14>ok", "<15>c"});
    CHECK(out.reasons == strings{"oversized"});
    CHECK(out.details[0] == "octet-counted record of 11 bytes exceeds max_record 10");
  }
  SECTION("skipped across reads") {
    syslog_framer f(10);
    auto out = run(f, {"30 <13>abc", "defghijklmnop", "qrstuvwxyz0", "5 <15>c"});
    CHECK(out.records == strings{"<15>c"});
    CHECK(out.reasons == strings{"oversized"});
  }
  SECTION("a huge declared length is skipped, not buffered") {
    syslog_framer f(100);
    auto ignore = [](std::string_view) { FAIL("nothing to deliver"); };
    int rejects = 0;
    auto on_reject = [&](std::string_view r, std::string_view) {
      CHECK(r == "oversized");
      ++rejects;
    };
    REQUIRE(f.feed("9999999999 ", ignore, on_reject));
    const std::string block(1 << 16, 'x');
    for (int i = 0; i < 64; ++i) REQUIRE(f.feed(block, ignore, on_reject));
    CHECK(f.buffered() == 0);
    CHECK(rejects == 1);
  }
}

TEST_CASE("absurd octet counts are bad frames that close the connection") {
  SECTION("more than 10 digits") {
    auto out = run_once("5 <13>a12345678901 <14>x");
    CHECK(out.records == strings{"<13>a"});
    CHECK(out.reasons == strings{"bad_frame"});
    CHECK(out.details[0] == "octet count has more than 10 digits");
    CHECK_FALSE(out.open);
  }
  SECTION("count not followed by a space") {
    auto out = run_once("<13>a\n12x<14>");
    CHECK(out.records == strings{"<13>a"});
    CHECK(out.reasons == strings{"bad_frame"});
    CHECK(out.details[0] == "octet count 12 is followed by byte 0x78 instead of a space");
    CHECK_FALSE(out.open);
    CHECK(run_once("12\n").reasons == strings{"bad_frame"});
  }
  SECTION("the framer stays failed") {
    syslog_framer f(1024);
    auto out = run(f, {"99999999999"});
    CHECK_FALSE(out.open);
    CHECK(f.failed());
    auto again = run(f, {"<13>fine\n"});
    CHECK_FALSE(again.open);
    CHECK(again.records.empty());
  }
  SECTION("a zero count is an empty frame, not fatal") {
    auto out = run_once("0 5 <13>a");
    CHECK(out.records == strings{"<13>a"});
    CHECK(out.reasons == strings{"empty"});
    CHECK(out.open);
  }
}

TEST_CASE("LF-only framing takes lines starting with digits as records") {
  const std::string lines = "2024-01-01T00:00:00Z app started\n{\"a\":1}\n17 apples\n";
  auto lf = run_once(lines, 1024, syslog_framer::framing::lf);
  CHECK(lf.records == strings{"2024-01-01T00:00:00Z app started", "{\"a\":1}", "17 apples"});
  auto detect = run_once(lines, 1024, syslog_framer::framing::detect);
  CHECK(detect.reasons == strings{"bad_frame"});
}

TEST_CASE("records inside one read are views into it, straddling ones are assembled") {
  syslog_framer f(1024);
  const std::string input = "<13>a\n5 <14>b<15>partial";
  std::vector<const char*> where;
  auto on_record = [&](std::string_view r) { where.push_back(r.data()); };
  auto on_reject = [](std::string_view, std::string_view) { FAIL("no rejection expected"); };
  REQUIRE(f.feed(input, on_record, on_reject));
  REQUIRE(where.size() == 2);
  CHECK(where[0] == input.data());
  CHECK(where[1] == input.data() + 8);
  const std::string rest = " end\n";
  std::string got;
  REQUIRE(f.feed(
      rest, [&](std::string_view r) { got = r; }, on_reject));
  CHECK(got == "<15>partial end");
}

namespace {

// A stream exercising every framing path, with a max_record of 24.
const std::string mixed_stream = std::string("<13>first line\n") + "11 <14>counted" +
                                 "<15>crlf line\r\n" + "\n\n" + "9 <16>a\nb c" + "<17>nul ended" +
                                 std::string(1, '\0') +
                                 "<18>this line is far too long for the limit\n" +
                                 "44 <19>this counted record is also far too long" + "0 " +
                                 "<20>after\n" + "7 <21>x\r\n" + "<22>tail";

outcome normalised(outcome o) {
  o.details.clear();  // the "so far" length of an oversized LF record depends on the reads
  return o;
}

}  // namespace

TEST_CASE("a record split at every possible byte boundary frames identically") {
  const auto whole = normalised(run_once(mixed_stream, 24));
  REQUIRE(whole.records == strings{"<13>first line", "<14>counted", "<15>crlf line", "<16>a\nb c",
                                   "<17>nul ended", "<20>after", "<21>x", "<22>tail"});
  REQUIRE(whole.reasons == strings{"oversized", "oversized", "empty"});

  for (std::size_t i = 0; i <= mixed_stream.size(); ++i) {
    syslog_framer f(24);
    auto out = normalised(run(f, {mixed_stream.substr(0, i), mixed_stream.substr(i)}));
    INFO("split at " << i);
    CHECK(out.records == whole.records);
    CHECK(out.reasons == whole.reasons);
  }
  for (std::size_t i = 0; i <= mixed_stream.size(); i += 3) {
    for (std::size_t j = i; j <= mixed_stream.size(); j += 5) {
      syslog_framer f(24);
      auto out = normalised(run(
          f, {mixed_stream.substr(0, i), mixed_stream.substr(i, j - i), mixed_stream.substr(j)}));
      INFO("split at " << i << " and " << j);
      CHECK(out.records == whole.records);
      CHECK(out.reasons == whole.reasons);
    }
  }
  std::vector<std::string> bytes;
  for (char c : mixed_stream) bytes.emplace_back(1, c);
  syslog_framer f(24);
  auto one_by_one = normalised(run(f, bytes));
  CHECK(one_by_one.records == whole.records);
  CHECK(one_by_one.reasons == whole.reasons);
}

TEST_CASE("randomized streams never crash and frame the same however they are split") {
  std::mt19937_64 rng(20240611);
  const std::string alphabet = "0123456789 <>\n\r\0abcXYZ\xff\x80"s;
  const std::vector<std::string> known = {"oversized", "bad_frame", "empty", "truncated"};
  auto chunked = [&](const std::string& s, std::size_t max_record, syslog_framer::framing mode) {
    std::vector<std::string> chunks;
    std::size_t pos = 0;
    while (pos < s.size()) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
      chunks.push_back(s.substr(pos, n));
      pos += n;
    }
    syslog_framer f(max_record, mode);
    return normalised(run(f, chunks));
  };
  std::size_t records_seen = 0;
  std::map<std::string, std::size_t> reasons_seen;
  auto check = [&](const std::string& s, std::size_t max_record, syslog_framer::framing mode) {
    syslog_framer f(max_record, mode);
    const auto whole = normalised(run(f, {s}));
    records_seen += whole.records.size();
    for (const auto& reason : whole.reasons) ++reasons_seen[reason];
    for (const auto& r : whole.records) {
      CHECK_FALSE(r.empty());
      CHECK(r.size() <= max_record);
    }
    for (const auto& reason : whole.reasons)
      CHECK(std::find(known.begin(), known.end(), reason) != known.end());
    const auto split = chunked(s, max_record, mode);
    CHECK(split.records == whole.records);
    CHECK(split.reasons == whole.reasons);
    CHECK(split.open == whole.open);
  };

  for (int iter = 0; iter < 3000; ++iter) {
    const std::size_t len = std::uniform_int_distribution<std::size_t>(0, 300)(rng);
    std::string s;
    for (std::size_t i = 0; i < len; ++i)
      s += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    const std::size_t max_record = std::uniform_int_distribution<std::size_t>(1, 64)(rng);
    check(s, max_record, iter % 2 ? syslog_framer::framing::detect : syslog_framer::framing::lf);
  }
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s = mixed_stream;
    const int mutations = std::uniform_int_distribution<int>(1, 8)(rng);
    for (int m = 0; m < mutations && !s.empty(); ++m) {
      const std::size_t at = std::uniform_int_distribution<std::size_t>(0, s.size() - 1)(rng);
      switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0:
          s[at] = static_cast<char>(rng());
          break;
        case 1:
          s.erase(at, 1);
          break;
        case 2:
          s.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          s.insert(at, s.substr(0, at % 17));
          break;
      }
    }
    check(s, 24, syslog_framer::framing::detect);
  }
  // The inputs really reach every path.
  CHECK(records_seen > 10000);
  for (const auto& reason : known) {
    INFO(reason);
    CHECK(reasons_seen[reason] > 10);
  }
}
