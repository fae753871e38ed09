// The tailer engine against real files in a scratch directory: discovery by glob, start
// position, rotation by rename and by copy-truncate, truncation, deletion, checkpoints that
// advance only by committed marks, inode reuse, symlink escapes, oversized and binary lines.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <limits>

#include "runtime/tail/checkpoint_file.hpp"
#include "runtime/tail/glob_expand.hpp"
#include "tests/unit/tail/tail_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

namespace {

// Files are read in inode order; where several files yield records in one step, tests compare
// the texts as a set.
texts sorted(texts t) {
  std::sort(t.begin(), t.end());
  return t;
}

tail::tailer_options opts(const scratch_dir& d, const std::string& glob = "*.log",
                          bool start_at_end = false) {
  tail::tailer_options o;
  o.paths = {d / glob};
  o.start_at_end = start_at_end;
  o.release_after = std::chrono::milliseconds(0);
  return o;
}

}  // namespace

TEST_CASE("discovery: globs pick matching files, and files created later at the next rescan") {
  scratch_dir d;
  append(d / "a.log", "a1\n");
  append(d / "b.log", "b1\n");
  append(d / "c.txt", "c1\n");
  tail_harness h(opts(d));
  CHECK(sorted(h.step()) == texts{"a1", "b1"});
  append(d / "d.log", "d1\n");
  CHECK(h.drain().empty());  // not yet discovered
  CHECK(h.step() == texts{"d1"});
  CHECK(h.t.stats().files_opened == 3);
}

TEST_CASE("discovery: ** matches any depth, including none; hidden entries need an explicit dot") {
  scratch_dir d;
  std::filesystem::create_directories(d / "x/y");
  std::filesystem::create_directories(d / ".hidden");
  append(d / "top.log", "");
  append(d / "x/mid.log", "");
  append(d / "x/y/deep.log", "");
  append(d / ".hidden/no.log", "");
  const auto found = tail::expand_glob(d / "**/*.log");
  CHECK(found == std::vector<std::string>{d / "top.log", d / "x/mid.log", d / "x/y/deep.log"});
  CHECK(tail::expand_glob(d / "x/*/*.log") == std::vector<std::string>{d / "x/y/deep.log"});
  CHECK(tail::expand_glob(d / "nothing/*.log").empty());
}

TEST_CASE("start position: end skips what files held at the first scan; later files from 0") {
  scratch_dir d;
  append(d / "old.log", "before1\nbefore2\n");
  tail_harness h(opts(d, "*.log", /*start_at_end=*/true));
  CHECK(h.step().empty());
  append(d / "old.log", "after\n");
  append(d / "new.log", "fresh1\n");
  CHECK(sorted(h.step()) == texts{"after", "fresh1"});

  scratch_dir d2;
  append(d2 / "old.log", "before1\n");
  tail_harness b(opts(d2, "*.log", /*start_at_end=*/false));
  CHECK(b.step() == texts{"before1"});
}

TEST_CASE("rotation by rename: the old file is read to its end, then the new one") {
  scratch_dir d;
  append(d / "app.log", "1\n2\n");
  tail_harness h(opts(d));
  CHECK(h.step() == texts{"1", "2"});
  append(d / "app.log", "3\n");
  std::filesystem::rename(d / "app.log", d / "app.log.1");
  append(d / "app.log.1", "4\n");  // the writer still had the old file open
  append(d / "app.log", "5\n");    // ...then reopened by name
  CHECK(h.step() == texts{"3", "4", "5"});
  CHECK(h.t.stats().rotations == 1);
  CHECK(h.t.stats().files_released == 1);
  CHECK(h.t.open_files() == 1);
  append(d / "app.log", "6\n");
  CHECK(h.step() == texts{"6"});
  // Peers name the file and line of each record.
  REQUIRE(h.all.size() == 6);
  CHECK(h.all[0].path == d / "app.log");
  CHECK(h.all[1].first_line == 2);
  CHECK(h.all[4].first_line == 1);
}

TEST_CASE("rotation by rename: the old file is drained before the new one even in small polls") {
  scratch_dir d;
  append(d / "app.log", "");
  tail_harness h(opts(d));
  h.step();
  append(d / "app.log", "o1\no2\no3\n");
  std::filesystem::rename(d / "app.log", d / "app.log.1");
  append(d / "app.log", "n1\n");
  CHECK(h.step(0, 1) == texts{"o1", "o2", "o3", "n1"});
}

TEST_CASE("copy-truncate: a file shrinking below the read offset is read again from 0") {
  scratch_dir d;
  append(d / "app.log", "first line\nsecond line\n");
  tail_harness h(opts(d));
  CHECK(h.step() == texts{"first line", "second line"});
  std::filesystem::copy_file(d / "app.log", d / "app.log.1");
  ::truncate((d / "app.log").c_str(), 0);
  append(d / "app.log", "after\n");
  CHECK(h.step() == texts{"after"});
  CHECK(h.t.stats().truncations == 1);
  CHECK(h.t.open_files() == 1);
}

TEST_CASE("truncation to zero, then growth: counted once, nothing lost after it") {
  scratch_dir d;
  append(d / "t.log", "aaaa\nbbbb\n");
  tail_harness h(opts(d));
  h.step();
  overwrite(d / "t.log", "");
  CHECK(h.step().empty());
  CHECK(h.t.stats().truncations == 1);
  append(d / "t.log", "cc\n");
  CHECK(h.step() == texts{"cc"});
  // Marks of records read before the truncation no longer move the checkpoint.
  h.t.commit({{h.all[1].mark}});
  const auto cps = h.t.checkpoints(false);
  REQUIRE(cps.size() == 1);
  CHECK(cps.begin()->second.offset == 0);
  h.t.commit({{h.all[2].mark}});
  CHECK(h.t.checkpoints(false).begin()->second.offset == 3);
}

TEST_CASE("deletion: a deleted file is drained, then released") {
  scratch_dir d;
  append(d / "gone.log", "x1\n");
  tail_harness h(opts(d));
  h.step();
  append(d / "gone.log", "x2\nx3\n");
  std::filesystem::remove(d / "gone.log");
  CHECK(h.step() == texts{"x2", "x3"});
  CHECK(h.t.open_files() == 0);
  CHECK(h.t.stats().files_released == 1);
  CHECK(h.t.stats().rotations == 0);
  // Its checkpoint goes once nothing is in flight.
  CHECK(h.t.checkpoints(false).size() == 1);
  CHECK(h.t.checkpoints(true).empty());
}

TEST_CASE("a last line without newline is emitted when its file is rotated away") {
  scratch_dir d;
  append(d / "p.log", "whole\npart");
  tail_harness h(opts(d));
  CHECK(h.step() == texts{"whole"});
  std::filesystem::rename(d / "p.log", d / "p.old");
  CHECK(h.step() == texts{"part"});
}

TEST_CASE("checkpoints advance only through committed marks, and a restart resumes there") {
  scratch_dir d;
  append(d / "c.log", "l1\nl2\nl3\nl4\n");
  tail_harness h(opts(d));
  CHECK(h.step() == texts{"l1", "l2", "l3", "l4"});
  const auto key = h.all[0].mark.key;
  CHECK(h.t.checkpoints(false).at(key).offset == 0);  // nothing committed yet
  h.t.commit({{h.all[1].mark}});                      // the batch ending at l2 is stored
  CHECK(h.t.checkpoints(false).at(key).offset == 6);
  CHECK(h.t.checkpoints(false).at(key).line == 2);
  const auto file = d / "cp.json";
  tail::save_checkpoints(file, h.t.checkpoints(false));

  // "kill -9" here: l3 and l4 were read but never committed. The restart reads them again.
  tail_harness again(opts(d, "*.log", /*start_at_end=*/true), tail::load_checkpoints(file));
  CHECK(again.step() == texts{"l3", "l4"});
  CHECK(again.all[0].first_line == 3);
}

TEST_CASE("commit_log: only the contiguous prefix of completed batches is taken, in order") {
  tail::commit_log log;
  const auto a = log.begin({tail::file_mark{{1, 1}, 0, 10, 1}});
  const auto b = log.begin({tail::file_mark{{1, 1}, 0, 20, 2}});
  log.done(b);
  CHECK(log.take_completed().empty());
  CHECK(log.in_flight() == 2);
  log.done(a);
  const auto got = log.take_completed();
  REQUIRE(got.size() == 2);
  CHECK(got[0][0].end_offset == 10);
  CHECK(got[1][0].end_offset == 20);
  CHECK(log.in_flight() == 0);
}

TEST_CASE("inode reuse: a checkpoint whose inode now holds other content is not trusted") {
  scratch_dir d;
  append(d / "r.log", "original content line\nsecond\n");
  tail_harness h(opts(d));
  h.step();
  h.t.commit({{h.all[1].mark}});
  auto cps = h.t.checkpoints(false);
  // The same inode with a different head: what a deleted-and-recreated file looks like when the
  // file system hands out the freed inode again.
  {
    const int fd = ::open((d / "r.log").c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    const std::string head = "REPLACED content line\nnew second\nthird\n";
    REQUIRE(::pwrite(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()));
    ::close(fd);
  }
  tail_harness again(opts(d), cps);
  CHECK(again.step() == texts{"REPLACED content line", "new second", "third"});
  CHECK(again.t.stats().inode_reused == 1);
}

TEST_CASE("a checkpoint beyond the file's size means it was truncated meanwhile: from 0") {
  scratch_dir d;
  append(d / "s.log", "0123456789\nabcdef\n");
  tail_harness h(opts(d));
  h.step();
  h.t.commit({{h.all[1].mark}});
  auto cps = h.t.checkpoints(false);
  ::truncate((d / "s.log").c_str(), 11);  // keeps the head, so the fingerprint still matches
  tail_harness again(opts(d), cps);
  CHECK(again.step() == texts{"0123456789"});
  CHECK(again.t.stats().truncations == 1);
}

TEST_CASE("symlinks escaping the roots are refused with a clear message and counted") {
  scratch_dir d;
  std::filesystem::create_directories(d / "logs");
  append(d / "secret.txt", "password\n");
  append(d / "logs/ok.log", "fine\n");
  append(d / "logs/inner.txt", "inner\n");
  std::filesystem::create_symlink(d / "secret.txt", d / "logs/evil.log");
  std::filesystem::create_symlink(d / "logs/inner.txt", d / "logs/inside.log");
  auto o = opts(d, "logs/*.log");
  tail_harness h(o);
  auto got = h.step();
  std::sort(got.begin(), got.end());
  CHECK(got == texts{"fine", "inner"});  // a symlink within the roots is fine
  CHECK(h.t.stats().refused == 1);
  REQUIRE(h.notices.size() == 1);
  CHECK(h.notices[0].find("files refused/symlink_escape") == 0);
  CHECK(h.notices[0].find("outside the configured roots") != std::string::npos);
  h.step();
  CHECK(h.t.stats().refused == 1);  // warned and counted once per path

  // Explicit roots: a glob reaching outside them is refused as well.
  auto o2 = opts(d, "*.txt");
  o2.roots = {d / "logs"};
  tail_harness h2(o2);
  CHECK(h2.step().empty());
  CHECK(h2.t.stats().refused == 1);
  CHECK(h2.notices.at(0).find("files refused/outside_roots") == 0);
}

TEST_CASE("oversized lines are cut and rejected with a reason; the next lines are intact") {
  scratch_dir d;
  const std::string big(100, 'x');
  append(d / "o.log", "short\n" + big + "\nafter\n" + big + big + big + "\nend\n");
  auto o = opts(d);
  o.max_record = 16;
  o.read_chunk = 7;  // the long lines straddle many reads
  tail_harness h(o);
  CHECK(h.step() == texts{"short", "after", "end"});
  CHECK(h.t.stats().oversized == 2);
  REQUIRE(h.notices.size() == 2);
  CHECK(h.notices[0].find("records rejected/oversized") == 0);
  // Line numbers count the rejected lines.
  CHECK(h.all[2].first_line == 5);
}

TEST_CASE("binary and invalid UTF-8 bytes are passed on untouched (the decoders judge them)") {
  scratch_dir d;
  const std::string bin = std::string("a\0b\xff\xfe", 5) + "\x01\r";
  append(d / "b.log", bin + "\nnext\n");
  tail_harness h(opts(d));
  const auto got = h.step();
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::string("a\0b\xff\xfe\x01", 6));  // the CR of CRLF is dropped
  CHECK(got[1] == "next");
}

TEST_CASE(
    "multi-line: a Java stack trace is one record; the quiet last one waits for its timeout") {
  scratch_dir d;
  auto o = opts(d);
  o.multiline.start_pattern = R"(^\d{4}-\d{2}-\d{2} )";
  o.multiline.flush_timeout = std::chrono::milliseconds(1000);
  tail_harness h(o);
  const std::string trace =
      "2024-01-01 ERROR boom\n"
      "java.lang.IllegalStateException: bad\n"
      "\tat a.b.C.m(C.java:1)\n"
      "Caused by: java.io.IOException: x\n"
      "\t... 3 more\n";
  append(d / "j.log", trace + "2024-01-01 INFO next\n");
  CHECK(h.step(0) == texts{"2024-01-01 ERROR boom\njava.lang.IllegalStateException: bad\n"
                           "\tat a.b.C.m(C.java:1)\nCaused by: java.io.IOException: x\n"
                           "\t... 3 more"});
  CHECK(h.all[0].mark.end_offset == trace.size());  // the checkpoint may move past the trace
  CHECK(h.all[0].mark.end_line == 5);
  CHECK(h.drain(999'999'999).empty());  // not quiet long enough yet
  CHECK(h.drain(1'000'000'000) == texts{"2024-01-01 INFO next"});
  CHECK(h.all[1].first_line == 6);
  CHECK(h.t.next_due_ns() == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("multi-line: continuation pattern, grouping per file, max_lines bound") {
  scratch_dir d;
  auto o = opts(d);
  o.multiline.continuation_pattern = R"(^(\s|Caused by:))";
  o.multiline.max_lines = 3;
  o.multiline.flush_timeout = std::chrono::milliseconds(10);
  tail_harness h(o);
  append(d / "a.log", "Exception in main: x\n\tat a\nCaused by: y\n");
  append(d / "b.log", "b first\n  b cont\n");
  CHECK(h.step(0).empty());  // both records may still continue
  append(d / "a.log", "\tat b\nnext\n");
  // a.log: the 4th line exceeds max_lines and begins a new record.
  CHECK(h.step(0) == texts{"Exception in main: x\n\tat a\nCaused by: y", "\tat b"});
  CHECK(sorted(h.drain(10'000'000)) == texts{"b first\n  b cont", "next"});
}

TEST_CASE("multi-line: an invalid pattern is refused when the grouper is built") {
  tail::multiline_options m;
  m.start_pattern = "(unclosed";
  CHECK_THROWS_AS(tail::multiline_grouper(m), std::invalid_argument);
}

TEST_CASE("multi-line: a rotated file's last record is not overtaken by its successor's") {
  scratch_dir d;
  auto o = opts(d);
  o.release_after = std::chrono::milliseconds(1000);  // the old file is kept open a while
  o.multiline.continuation_pattern = R"(^\s)";
  tail_harness h(o);
  append(d / "app.log", "old 1\nold 2\n  old 2 cont\n");
  CHECK(h.step(0) == texts{"old 1"});
  std::filesystem::rename(d / "app.log", d / "app.log.1");
  append(d / "app.log", "new 1\nnew 2\n");
  CHECK(h.step(0) == texts{"old 2\n  old 2 cont", "new 1"});
  CHECK(h.t.open_files() == 2);  // the old one is drained but not yet released
}

TEST_CASE("start_at end applies at the very first start only; after a restart new files from 0") {
  scratch_dir d;
  append(d / "a.log", "a1\n");
  tail_harness h(opts(d, "*.log", /*start_at_end=*/true));
  CHECK(h.step().empty());
  const auto cps = h.t.checkpoints(false);
  REQUIRE(cps.size() == 1);
  // While the process is down, a.log is rotated away and a new a.log written.
  std::filesystem::rename(d / "a.log", d / "a.old");
  append(d / "a.log", "written while down\n");
  tail_harness again(opts(d, "*.log", /*start_at_end=*/true), cps);
  CHECK(again.step() == texts{"written while down"});
}

TEST_CASE("copy-truncate followed by more writes than were read is still noticed (by the head)") {
  scratch_dir d;
  append(d / "ct.log", "old-1\nold-2\n");
  tail_harness h(opts(d));
  CHECK(h.step() == texts{"old-1", "old-2"});
  ::truncate((d / "ct.log").c_str(), 0);
  append(d / "ct.log", "new line one\nnew line two\n");  // longer than what was read
  CHECK(h.step() == texts{"new line one", "new line two"});
  CHECK(h.t.stats().truncations == 1);
  append(d / "ct.log", "new line three\n");
  CHECK(h.step() == texts{"new line three"});
  CHECK(h.t.stats().truncations == 1);
}
