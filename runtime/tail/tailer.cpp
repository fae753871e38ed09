#include "runtime/tail/tailer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "runtime/tail/glob_expand.hpp"

namespace seerflow::tail {

namespace {

std::vector<std::string> roots_or_default(const tailer_options& o) {
  if (!o.roots.empty()) return o.roots;
  std::vector<std::string> out;
  for (const auto& p : o.paths) out.push_back(glob_base(p));
  return out;
}

}  // namespace

tailer::tailer(tailer_options options, checkpoint_map checkpoints, notice_fn notice)
    : opt_(std::move(options)),
      guard_(roots_or_default(opt_)),
      notice_(std::move(notice)),
      table_(std::move(checkpoints)),
      resumed_(!table_.empty()) {}

tailer::~tailer() = default;

void tailer::note(std::string_view kind, std::string_view reason, const std::string& msg) {
  if (notice_) notice_(kind, reason, msg);
}

void tailer::rescan(std::int64_t now_ns) {
  std::set<file_key> seen;
  for (const auto& pattern : opt_.paths) {
    for (const auto& p : expand_glob(pattern)) {
      const auto v = guard_.check(p);
      if (!v.allowed) {
        if (v.reason == "unresolvable") continue;  // removed between the glob and the check
        if (refused_paths_.insert(p).second) {
          ++stats_.refused;
          note("files refused", v.reason, v.message);
        }
        continue;
      }
      refused_paths_.erase(p);
      struct stat st {};
      if (::stat(v.resolved.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      const file_key key{static_cast<std::uint64_t>(st.st_dev),
                         static_cast<std::uint64_t>(st.st_ino)};
      seen.insert(key);
      if (auto it = readers_.find(key); it != readers_.end()) {
        // The same file, possibly under a new name (renamed into another matching path).
        if (it->second.reader->path() != p) it->second.reader->set_path(p);
        it->second.gone = false;
        continue;
      }
      if (readers_.size() >= opt_.max_files) {
        note("files deferred", "max_files",
             "at max_files " + std::to_string(opt_.max_files) + "; not opening " + p + " yet");
        continue;
      }
      open_file(p, v.resolved, now_ns);
      if (readers_.count(key) == 0) seen.erase(key);
    }
  }
  for (auto& [key, slot] : readers_) {
    if (seen.count(key) || slot.gone) continue;
    // No matching path names this file any more: renamed away (rotation) or deleted. It is
    // read to its end before it is released; a successor under its name is already open.
    slot.gone = true;
    slot.quiet_since_ns = now_ns;
    struct stat st {};
    const bool replaced = ::stat(slot.reader->path().c_str(), &st) == 0;
    if (replaced) ++stats_.rotations;
    note(replaced ? "files rotated" : "files deleted", replaced ? "rotated" : "deleted",
         slot.reader->path() + (replaced ? " now names a new file; reading the old one to its end"
                                         : " was deleted or renamed away; reading it to its end"));
  }
  if (first_scan_) {
    // Checkpoints of files that are no longer there are dropped once nothing is in flight.
    for (const auto& [key, e] : table_)
      if (readers_.count(key) == 0) released_.insert(key);
    first_scan_ = false;
  }
}

void tailer::open_file(const std::string& path, const std::string& resolved, std::int64_t now_ns) {
  // The resolved path holds no symlink: O_NOFOLLOW makes sure none was swapped in meanwhile.
  const int fd = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (failed_paths_.insert(path).second) {
      ++stats_.open_failures;
      note("files not opened", "open_failed", "cannot open " + path + ": " + std::strerror(errno));
    }
    return;
  }
  failed_paths_.erase(path);
  file_identity id;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !identity_of(fd, id)) {
    ::close(fd);
    return;
  }
  const auto key = key_of(id);
  if (readers_.count(key)) {
    ::close(fd);
    return;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  auto& gen = generations_[key];
  if (auto it = table_.find(key); it != table_.end()) {
    if (it->second.offset > size) {
      // Shorter than its checkpoint (its head may be gone too, so the fingerprint cannot tell):
      // truncated or replaced while we were away; either way its content starts at 0.
      ++stats_.truncations;
      ++gen;
      note("files truncated", "truncated",
           path + " is shorter than its checkpoint; reading it from the start");
    } else if (matches(fd, it->second.identity)) {
      offset = it->second.offset;
      line = it->second.line;
    } else {
      // Same device and inode, different head: the checkpointed file was deleted and its
      // inode given to a new file, which is read from its start.
      ++stats_.inode_reused;
      ++gen;
      note("files replaced", "inode_reused",
           path +
               " reuses the inode of a checkpointed file but its content differs; reading it "
               "from the start");
    }
  } else if (first_scan_ && !resumed_ && opt_.start_at_end) {
    offset = size;
  }
  released_.erase(key);
  table_[key] = checkpoint_entry{id, path, offset, line};
  readers_[key] =
      reader_slot{std::make_unique<file_reader>(fd, id, path, offset, line, opt_.multiline,
                                                opt_.max_record, opt_.read_chunk),
                  false, now_ns, false};
  ++stats_.files_opened;
}

std::size_t tailer::poll(std::size_t max_records, std::int64_t now_ns, const record_fn& emit) {
  std::size_t emitted = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const bool drain_pass = pass == 0;
    for (auto it = readers_.begin(); it != readers_.end();) {
      auto& slot = it->second;
      if (slot.gone != drain_pass) {
        ++it;
        continue;
      }
      auto& r = *slot.reader;
      const file_key key = it->first;
      // Marks carry the fingerprint over as much of the head as was read (a file opened empty
      // has none yet): it is what a restart compares the file with.
      r.refresh_fingerprint();
      const auto wrapped = [&, key](const grouped_record& g) {
        ++emitted;
        ++stats_.records;
        const auto& id = r.identity();
        emit(tail_record{g.text, &r.path(), g.first_line,
                         file_mark{key, generations_[key], g.end_offset, g.end_line, id.fingerprint,
                                   id.fingerprint_len}});
      };
      const auto reject = [&](std::string_view reason, const std::string& detail) {
        ++stats_.oversized;
        note("records rejected", reason, detail);
      };
      if (r.check_truncated(wrapped)) {
        ++stats_.truncations;
        ++generations_[key];
        auto& e = table_[key];
        e.offset = 0;
        e.line = 0;
        note(
            "files truncated", "truncated",
            r.path() + " shrank below the read offset (copy-truncate?); reading it from the start");
      }
      bool eof = true;
      if (emitted < max_records) {
        const auto res = r.pump(max_records - emitted, now_ns, wrapped, reject);
        stats_.bytes_read += res.bytes;
        if (res.bytes > 0) slot.quiet_since_ns = now_ns;
        eof = res.eof;
      } else {
        eof = false;
      }
      r.flush_if_due(now_ns, wrapped);
      if (slot.gone && eof) r.flush_record(wrapped);
      if (slot.gone && eof &&
          now_ns - slot.quiet_since_ns >=
              std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.release_after).count()) {
        r.finish(wrapped);
        auto next = std::next(it);
        release(it);
        it = next;
        continue;
      }
      ++it;
    }
    // A file being drained did not reach its end: its successor waits for the next poll.
    if (drain_pass && emitted >= max_records) break;
  }
  return emitted;
}

void tailer::release(std::map<file_key, reader_slot>::iterator it) {
  ++stats_.files_released;
  released_.insert(it->first);
  readers_.erase(it);
}

void tailer::commit(const std::vector<batch_marks>& completed) {
  for (const auto& marks : completed) {
    for (const auto& m : marks) {
      auto it = table_.find(m.key);
      if (it == table_.end()) continue;
      const auto g = generations_.find(m.key);
      if ((g == generations_.end() ? 0 : g->second) != m.generation) continue;
      if (m.end_offset < it->second.offset) continue;
      it->second.offset = m.end_offset;
      it->second.line = m.end_line;
    }
  }
}

const checkpoint_map& tailer::checkpoints(bool nothing_in_flight) {
  for (auto& [key, slot] : readers_) {
    slot.reader->refresh_fingerprint();
    auto& e = table_[key];
    e.identity = slot.reader->identity();
    e.path = slot.reader->path();
  }
  if (nothing_in_flight) {
    for (const auto& key : released_) table_.erase(key);
    released_.clear();
  }
  return table_;
}

std::int64_t tailer::next_due_ns() const {
  auto due = std::numeric_limits<std::int64_t>::max();
  for (const auto& [key, slot] : readers_) due = std::min(due, slot.reader->due_ns());
  return due;
}

}  // namespace seerflow::tail
