#include "runtime/tail/stored_offsets.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace seerflow::tail {

resume_point merge_stored_offsets(checkpoint_map files, std::uint64_t file_seq,
                                  const std::vector<model::stored_tail_offset>& stored) {
  resume_point out;
  out.files = std::move(files);
  out.seq = file_seq;
  for (const auto& row : stored) {
    out.seq = std::max(out.seq, row.seq);
    if (row.seq <= file_seq) continue;
    const auto& f = row.file;
    checkpoint_entry e;
    e.identity = file_identity{f.dev, f.ino, f.fingerprint, f.fingerprint_len};
    e.offset = f.offset;
    e.line = f.line;
    auto& slot = out.files[key_of(e.identity)];
    e.path = slot.path;  // the store keeps no path; the entry's is only informative
    slot = std::move(e);
    ++out.from_store;
  }
  return out;
}

std::string encode_stored_offsets(const std::vector<model::stored_tail_offset>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rows)
    a.push_back({r.file.dev, r.file.ino, r.file.fingerprint, r.file.fingerprint_len, r.file.offset,
                 r.file.line, r.seq});
  return a.dump();
}

std::vector<model::stored_tail_offset> decode_stored_offsets(std::string_view text) {
  std::vector<model::stored_tail_offset> out;
  try {
    const auto a = nlohmann::json::parse(text);
    for (const auto& v : a.get_ref<const nlohmann::json::array_t&>()) {
      if (v.size() != 7)
        throw std::runtime_error("a row has " + std::to_string(v.size()) + " fields");
      model::stored_tail_offset r;
      r.file.dev = v[0].get<std::uint64_t>();
      r.file.ino = v[1].get<std::uint64_t>();
      r.file.fingerprint = v[2].get<std::uint64_t>();
      r.file.fingerprint_len = v[3].get<std::uint32_t>();
      if (r.file.fingerprint_len > fingerprint_span)
        throw std::runtime_error("fingerprint_len out of range");
      r.file.offset = v[4].get<std::uint64_t>();
      r.file.line = v[5].get<std::uint64_t>();
      r.seq = v[6].get<std::uint64_t>();
      out.push_back(r);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("stored tail offsets: ") + e.what());
  }
  return out;
}

}  // namespace seerflow::tail
