#pragma once
// The full-text index of event messages. It lives in a database file of its own beside the
// store (text_index_path) because SQLite lets one writer at a time into a file, and indexing
// costs more than storing (measured with bench/store/ingest.cpp: ~7 µs of CPU per event
// against ~4 µs for the event row, its entity links and its entities): with a file of its own
// it is written by its own connection, on its own thread (text_indexer.hpp), in parallel with
// the store's writer, reading committed events through an attached read of the store.
//
// It is cut into parts of consecutive event ids, each a contentless FTS5 table (the text lives
// once, in events). Retention deletes the oldest events; a part goes, with one DROP TABLE, once
// every event in it is gone. Deleting from FTS5 row by row needs the indexed text and leaves
// delete markers until segments merge; without deletes the segments can also be merged 8 at a
// time instead of 4, which measured ~35% less indexing CPU.
//
// It is derived data: it records the store's uid, and an index whose uid differs (the store
// file was replaced) is emptied and rebuilt from the events, as is a missing one. Searches
// cover the events past its watermark by substring (runtime/query/event_query.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/store/sqlite_db.hpp"

namespace seerflow::store {

// "<store path>-fts": beside the store, and with it in a `seerflow.db*` backup.
std::string text_index_path(const std::string& store_path);

// The reader's side. Attaches the index beside the store of `db` as schema "fts" when its file
// exists (a reader never creates it); returns whether it did.
bool attach_text_index(sqlite_db& db);

// What a search sees of the index, read inside the search's own read transaction so that the
// parts it names still exist for it: the parts' tables (in schema "fts") and the watermark.
// Empty (watermark 0) without an attached index, or with one made for another store.
struct text_index_view {
  std::vector<std::string> tables;
  std::int64_t indexed_through = 0;
  static text_index_view read(const sqlite_db& db);
};

struct text_index_options {
  // Event ids per part: at least part_rows, and a quarter of what the index spans, up to
  // max_part_rows (what retention frees at once; how many MATCHes a search runs).
  std::int64_t part_rows = 1 << 18;
  std::int64_t max_part_rows = 1 << 22;
  int busy_timeout_ms = 5000;
};

class text_index {
 public:
  // Opens (creating) the index of the store at `store_path`, which must exist and be at the
  // current schema. Throws store_error.
  explicit text_index(const std::string& store_path, text_index_options o = {});

  // Indexes up to max_rows committed events after the watermark, in one transaction of the
  // index file. Returns the events looked at (0: the index is current).
  std::size_t step(std::size_t max_rows);
  // Drops the parts whose every event is gone from the store; returns how many went.
  std::size_t drop_expired();

  // Every event up to this id is indexed (or has no message).
  std::int64_t indexed_through() const { return indexed_through_; }
  // The newest committed event id in the store.
  std::int64_t store_max_id();
  std::size_t parts() const { return parts_.size(); }
  const std::string& path() const { return db_.path(); }
  // The FTS5 table of part `number`, in the index file.
  static std::string table(std::int64_t number);

 private:
  struct part {
    std::int64_t number, first_id, last_id, capacity;
  };
  void load();
  void reset(const std::string& store_uid);
  void add_part(std::int64_t first_id, std::int64_t capacity);
  std::int64_t next_capacity() const;

  sqlite_db db_;
  text_index_options options_;
  statement store_max_, store_min_, read_chunk_, set_watermark_, set_part_end_;
  std::vector<part> parts_;
  std::int64_t indexed_through_ = 0;
  std::vector<std::pair<std::int64_t, std::string>> chunk_;
};

}  // namespace seerflow::store
