// Checkpoint files: round trip, atomic replacement (no temporary left, the old content intact
// until the rename), missing and corrupt files, and identity matching against open files.
#include <catch2/catch.hpp>

#include "runtime/tail/checkpoint_file.hpp"
#include "tests/unit/tail/tail_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

TEST_CASE("checkpoints round-trip and are replaced atomically") {
  scratch_dir d;
  const auto file = d / "state/cp.json";
  tail::checkpoint_map m;
  tail::checkpoint_entry e;
  e.identity = {1, 2, 0xdeadbeefcafef00dULL, 256};
  e.path = "/var/log/app.log";
  e.offset = 1ULL << 40;
  e.line = 12345;
  m[tail::key_of(e.identity)] = e;
  tail::save_checkpoints(file, m);
  CHECK(tail::load_checkpoints(file) == m);
  CHECK_FALSE(std::filesystem::exists(file + ".tmp"));

  m.begin()->second.offset = 7;
  tail::save_checkpoints(file, m);
  CHECK(tail::load_checkpoints(file).begin()->second.offset == 7);

  // A temporary left by a crash mid-write does not disturb the real file.
  overwrite(file + ".tmp", "{\"version\":1,\"fi");
  CHECK(tail::load_checkpoints(file).begin()->second.offset == 7);
}

TEST_CASE("a missing checkpoint is empty; a corrupt one is an error naming the file") {
  scratch_dir d;
  CHECK(tail::load_checkpoints(d / "none.json").empty());
  overwrite(d / "bad.json", "{\"version\":1,\"files\":[{\"dev\":1}]}");
  CHECK_THROWS_WITH(tail::load_checkpoints(d / "bad.json"), Catch::Contains("bad.json is corrupt"));
  overwrite(d / "trunc.json", "{\"version\":1,\"fi");
  CHECK_THROWS_WITH(tail::load_checkpoints(d / "trunc.json"), Catch::Contains("corrupt"));
}

TEST_CASE("file identity: same inode and head match; a changed head or another file does not") {
  scratch_dir d;
  append(d / "f.log", "hello world\n");
  const int fd = ::open((d / "f.log").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  tail::file_identity id;
  REQUIRE(tail::identity_of(fd, id));
  CHECK(id.fingerprint_len == 12);
  CHECK(tail::matches(fd, id));
  append(d / "f.log", "more\n");  // growth keeps the head
  CHECK(tail::matches(fd, id));
  auto other = id;
  other.fingerprint ^= 1;
  CHECK_FALSE(tail::matches(fd, other));
  other = id;
  other.ino += 1;
  CHECK_FALSE(tail::matches(fd, other));
  ::close(fd);
}
