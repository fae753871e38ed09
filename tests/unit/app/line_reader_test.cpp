// The line reader of `seerflow analyze`: LF and CRLF endings, a last line without a newline,
// empty lines, long lines cut and counted, lines across the 1 MiB buffer boundary, pipes, and a
// huge single line that must not be held in memory.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/system/app/line_reader.hpp"

using seerflow::app::line_reader;

namespace {

constexpr std::size_t mib = std::size_t{1} << 20;

struct file_closer {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

// A stream over `text` (a temporary file: fmemopen cannot hold zero bytes).
file_ptr stream_of(const std::string& text) {
  file_ptr f(std::tmpfile());
  REQUIRE(f);
  REQUIRE(std::fwrite(text.data(), 1, text.size(), f.get()) == text.size());
  std::rewind(f.get());
  return f;
}

struct result {
  std::vector<std::string> lines;
  std::size_t calls = 0;
  std::size_t truncated = 0;
  std::string error;
};

// Reads everything, `per_call` lines at a time.
result read_all(std::FILE* f, std::size_t max_line, std::size_t per_call = 1000) {
  line_reader r(f, max_line);
  result out;
  bool more = true;
  while (more) {
    const std::size_t before = out.lines.size();
    more = r.read(out.lines, per_call);
    REQUIRE(out.lines.size() - before <= per_call);
    ++out.calls;
    REQUIRE(out.calls < 100000);
  }
  out.truncated = r.truncated_lines();
  out.error = r.error();
  return out;
}

result read_text(const std::string& text, std::size_t max_line = 65536,
                 std::size_t per_call = 1000) {
  auto f = stream_of(text);
  return read_all(f.get(), max_line, per_call);
}

using lines = std::vector<std::string>;

}  // namespace

TEST_CASE("LF and CRLF line endings") {
  CHECK(read_text("a\nbb\nccc\n").lines == lines{"a", "bb", "ccc"});
  CHECK(read_text("a\r\nbb\r\nccc\r\n").lines == lines{"a", "bb", "ccc"});
  CHECK(read_text("mixed\r\nendings\nhere\r\n").lines == lines{"mixed", "endings", "here"});
  // Only a CR right before the LF is part of the ending.
  CHECK(read_text("a\rb\n").lines == lines{"a\rb"});
  CHECK(read_text("a\r\r\n").lines == lines{"a\r"});
  CHECK(read_text("\r\n").lines == lines{""});
  CHECK(read_text("tab\there\n").lines == lines{"tab\there"});
  CHECK(read_text(std::string("nul\0inside\n", 11)).lines == lines{std::string("nul\0inside", 10)});
}

TEST_CASE("a last line without a newline is still a line") {
  CHECK(read_text("a\nlast").lines == lines{"a", "last"});
  CHECK(read_text("only").lines == lines{"only"});
  CHECK(read_text("a\nlast\r").lines == lines{"a", "last"});
  CHECK(read_text("a\n").lines == lines{"a"});  // no empty line invented after the last LF
}

TEST_CASE("empty lines and empty input") {
  CHECK(read_text("\n").lines == lines{""});
  CHECK(read_text("\n\n\n").lines == lines{"", "", ""});
  CHECK(read_text("a\n\nb\n\n").lines == lines{"a", "", "b", ""});
  const auto empty = read_text("");
  CHECK(empty.lines.empty());
  CHECK(empty.calls == 1);
  CHECK(empty.error.empty());
}

TEST_CASE("read() hands out at most `max` lines per call and false at the end") {
  auto f = stream_of("1\n2\n3\n4\n5\n");
  line_reader r(f.get(), 100);
  std::vector<std::string> out;
  CHECK(r.read(out, 2));
  CHECK(out == lines{"1", "2"});
  CHECK(r.read(out, 2));
  CHECK(out == lines{"1", "2", "3", "4"});
  CHECK_FALSE(r.read(out, 2));
  CHECK(out == lines{"1", "2", "3", "4", "5"});
  CHECK_FALSE(r.read(out, 2));  // and stays at the end
  CHECK(out.size() == 5);
  CHECK(r.error().empty());

  // A call that fills up exactly at the end learns of the end on the next call.
  auto g = stream_of("1\n2\n");
  line_reader r2(g.get(), 100);
  std::vector<std::string> out2;
  CHECK(r2.read(out2, 2));
  CHECK(out2 == lines{"1", "2"});
  CHECK_FALSE(r2.read(out2, 2));
  CHECK(out2.size() == 2);
  CHECK(r2.read(out2, 0));  // asking for nothing reads nothing
}

TEST_CASE("a line longer than max_line is cut to max_line + 1 bytes, the rest skipped") {
  const auto r = read_text("0123456789ABCDEF\nshort\n0123456789\n0123456789A\n", 10);
  CHECK(r.lines == lines{"0123456789A", "short", "0123456789", "0123456789A"});
  CHECK(r.truncated == 1);  // the 11-byte line fits max_line + 1 exactly: nothing was cut
  // CRLF: the CR of a line that fits is dropped; a cut line keeps max_line + 1 content bytes.
  const auto crlf = read_text("0123456789\r\n0123456789ABC\r\nnext\r\n", 10);
  CHECK(crlf.lines == lines{"0123456789", "0123456789A", "next"});
  CHECK(crlf.truncated == 1);
  // A long last line without a newline.
  const auto last = read_text("ok\n" + std::string(100, 'z'), 10);
  CHECK(last.lines == lines{"ok", std::string(11, 'z')});
  CHECK(last.truncated == 1);
  // Many long lines in a row.
  std::string many;
  for (int i = 0; i < 50; ++i) many += std::string(30 + i, static_cast<char>('a' + i % 26)) + "\n";
  const auto m = read_text(many, 20);
  REQUIRE(m.lines.size() == 50);
  for (int i = 0; i < 50; ++i)
    CHECK(m.lines[i] == std::string(21, static_cast<char>('a' + i % 26)));
  CHECK(m.truncated == 50);
}

TEST_CASE("lines across the 1 MiB buffer boundary") {
  // Line ends at every offset around the boundary, including a CR and LF split across it.
  for (std::size_t first : {mib - 3, mib - 2, mib - 1, mib, mib + 1}) {
    INFO("first line of " << first << " bytes");
    std::string text(first - 1, 'a');
    text += "\r\nspanning line\nlast\n";
    const auto r = read_text(text, 4 * mib);
    REQUIRE(r.lines.size() == 3);
    CHECK(r.lines[0] == std::string(first - 1, 'a'));
    CHECK(r.lines[1] == "spanning line");
    CHECK(r.lines[2] == "last");
    CHECK(r.truncated == 0);
  }
  // A line longer than two buffers, kept whole.
  const std::string big(2 * mib + 12345, 'q');
  const auto r = read_text("x\n" + big + "\ny\n", 4 * mib);
  CHECK(r.lines == lines{"x", big, "y"});
  // A short line whose bytes straddle the boundary.
  std::string pad(mib - 4, '.');
  const auto s = read_text(pad + "\nabcdefgh\n", 4 * mib);
  CHECK(s.lines == lines{pad, "abcdefgh"});
}

TEST_CASE("a cut line whose rest spans buffer boundaries is skipped to its end") {
  std::string text = "first\n";
  text += std::string(3 * mib, 'L');  // longer than the buffer, cut at 1000 + 1
  text += "\nafter\n";
  const auto r = read_text(text, 1000);
  CHECK(r.lines == lines{"first", std::string(1001, 'L'), "after"});
  CHECK(r.truncated == 1);
}

TEST_CASE("a huge single line without a newline is cut, not held") {
  const std::string huge(10 * 1000 * 1000, 'h');
  const auto r = read_text(huge, 65536);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0].size() == 65537);
  CHECK(r.lines[0] == std::string(65537, 'h'));
  CHECK(r.truncated == 1);
  CHECK(r.error.empty());
  // With room for it, it comes through whole.
  const auto whole = read_text(huge, 16 * mib);
  REQUIRE(whole.lines.size() == 1);
  CHECK(whole.lines[0] == huge);
  CHECK(whole.truncated == 0);
}

TEST_CASE("reading through a pipe, written in pieces that split lines") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string expected_text;
  std::vector<std::string> expected;
  for (int i = 0; i < 20000; ++i) {
    expected.push_back("line " + std::to_string(i) + std::string(i % 97, '-'));
    expected_text += expected.back() + (i % 3 == 0 ? "\r\n" : "\n");
  }
  std::thread writer([&] {
    // Pieces of awkward sizes, so lines and CRLF pairs are split between writes.
    std::size_t at = 0, piece = 1;
    while (at < expected_text.size()) {
      const std::size_t n = std::min(piece, expected_text.size() - at);
      std::size_t done = 0;
      while (done < n) {
        const auto w = ::write(fds[1], expected_text.data() + at + done, n - done);
        if (w <= 0) break;
        done += static_cast<std::size_t>(w);
      }
      at += n;
      piece = piece * 7 % 65521 + 1;
    }
    ::close(fds[1]);
  });
  file_ptr f(::fdopen(fds[0], "r"));
  REQUIRE(f);
  const auto r = read_all(f.get(), 65536, 512);
  writer.join();
  CHECK(r.lines == expected);
  CHECK(r.truncated == 0);
  CHECK(r.error.empty());
}

TEST_CASE("a read error is reported through error()") {
  // A directory opens as a stream, but reading it fails with EISDIR.
  file_ptr dir(std::fopen("/", "r"));
  REQUIRE(dir);
  line_reader r(dir.get(), 100);
  std::vector<std::string> out;
  CHECK_FALSE(r.read(out, 10));
  CHECK(out.empty());
  CHECK(r.error() == "Is a directory");
  CHECK_FALSE(r.read(out, 10));
  CHECK(out.empty());
}
