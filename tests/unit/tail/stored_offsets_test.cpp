// How a restart combines the checkpoint file with the read positions the store committed with
// the events: rows of batches after the file's win, rows the file already covers are ignored
// (the file may have dropped a released file on purpose), numbering goes on after the newest.
// The checkpoint file keeps its batch number, and the store actor's text form round-trips.
#include <catch2/catch.hpp>

#include "runtime/tail/checkpoint_file.hpp"
#include "runtime/tail/stored_offsets.hpp"
#include "tests/unit/tail/tail_test_support.hpp"

using namespace seerflow;

namespace {

tail::checkpoint_entry entry(std::uint64_t ino, std::uint64_t offset, std::uint64_t line) {
  tail::checkpoint_entry e;
  e.identity = tail::file_identity{7, ino, 0xabc, 256};
  e.path = "/var/log/f" + std::to_string(ino);
  e.offset = offset;
  e.line = line;
  return e;
}

model::stored_tail_offset row(std::uint64_t ino, std::uint64_t offset, std::uint64_t line,
                              std::uint64_t seq, std::uint64_t fingerprint = 0xabc) {
  return model::stored_tail_offset{model::tail_file_offset{7, ino, fingerprint, 256, offset, line},
                                   seq};
}

}  // namespace

TEST_CASE("store rows of batches after the checkpoint file win; older ones are ignored", "[tail]") {
  tail::checkpoint_map files;
  files[{7, 1}] = entry(1, 100, 10);
  files[{7, 2}] = entry(2, 500, 50);
  const auto p = tail::merge_stored_offsets(
      files, 40,
      {row(1, 180, 18, 42), row(2, 400, 40, 39), row(3, 90, 9, 41),  // read since the file
       row(4, 70, 7, 12)});                                          // released before it
  CHECK(p.seq == 42);
  CHECK(p.from_store == 2);
  REQUIRE(p.files.size() == 3);
  CHECK(p.files.at({7, 1}).offset == 180);
  CHECK(p.files.at({7, 1}).line == 18);
  CHECK(p.files.at({7, 1}).path == "/var/log/f1");  // kept: the store has no paths
  CHECK(p.files.at({7, 2}).offset == 500);          // the file is newer for this one
  CHECK(p.files.at({7, 3}).offset == 90);
  CHECK(p.files.at({7, 3}).identity == tail::file_identity{7, 3, 0xabc, 256});
  CHECK(p.files.count({7, 4}) == 0);
}

TEST_CASE("without store rows the checkpoint file decides; numbering follows the newest",
          "[tail]") {
  tail::checkpoint_map files;
  files[{7, 1}] = entry(1, 100, 10);
  auto p = tail::merge_stored_offsets(files, 40, {});
  CHECK(p.seq == 40);
  CHECK(p.from_store == 0);
  CHECK(p.files == files);
  // No checkpoint file at all (first start, or it was lost): the store's rows are all there is.
  p = tail::merge_stored_offsets({}, 0, {row(1, 180, 18, 3), row(2, 10, 1, 5)});
  CHECK(p.seq == 5);
  CHECK(p.files.size() == 2);
}

TEST_CASE("a store row replaces a checkpoint entry whole, identity included", "[tail]") {
  tail::checkpoint_map files;
  files[{7, 1}] = entry(1, 100, 10);
  // Truncated and rewritten since the file was written: another head, a smaller offset.
  const auto p = tail::merge_stored_offsets(files, 40, {row(1, 20, 2, 41, 0xdef)});
  CHECK(p.files.at({7, 1}).offset == 20);
  CHECK(p.files.at({7, 1}).identity.fingerprint == 0xdef);
}

TEST_CASE("the checkpoint file keeps the number of the last batch it covers", "[tail]") {
  test::scratch_dir d;
  tail::checkpoint_map files;
  files[{7, 1}] = entry(1, 100, 10);
  tail::save_checkpoints(d / "cp.json", files, 1234);
  std::uint64_t seq = 0;
  CHECK(tail::load_checkpoints(d / "cp.json", &seq) == files);
  CHECK(seq == 1234);
  // A file written before the store kept offsets has no number: 0.
  test::overwrite(d / "old.json",
                  R"({"version":1,"files":[{"dev":7,"ino":1,"fingerprint":2748,)"
                  R"("fingerprint_len":256,"offset":100,"line":10,"path":"/var/log/f1"}]})");
  seq = 99;
  CHECK(tail::load_checkpoints(d / "old.json", &seq).size() == 1);
  CHECK(seq == 0);
}

TEST_CASE("stored offsets round-trip through the store actor's text; bad text throws", "[tail]") {
  const std::vector<model::stored_tail_offset> rows{row(1, 180, 18, 42),
                                                    row(~0ull, ~0ull, 5, ~0ull, ~0ull)};
  CHECK(tail::decode_stored_offsets(tail::encode_stored_offsets(rows)) == rows);
  CHECK(tail::decode_stored_offsets("[]").empty());
  CHECK_THROWS(tail::decode_stored_offsets("{"));
  CHECK_THROWS(tail::decode_stored_offsets("[[1,2,3]]"));
  CHECK_THROWS(tail::decode_stored_offsets("[[1,2,3,999,5,6,7]]"));  // fingerprint_len > 256
}
