#pragma once
// Shared by the store tests: a scratch directory that cleans up after itself, event builders
// and a read-only connection like the one a sqlite3 CLI user would hold.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "runtime/model/event.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::store::test {

class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("seerflow-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline model::uuid make_uuid(std::uint8_t seed) {
  model::uuid id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(seed * 17 + i);
  return id;
}

inline model::entity_ref make_entity(model::entity_type type, std::string value,
                                     std::uint8_t seed) {
  return model::entity_ref{type, std::move(value), make_uuid(seed)};
}

inline std::int64_t key_of(const model::entity_ref& r) {
  return static_cast<std::int64_t>(model::entity_key(r.id));
}

// A plain event: source "test", the given time, message and entities.
inline model::event make_event(std::int64_t time_ns, std::string message,
                               std::vector<model::entity_ref> entities = {},
                               std::uint64_t template_id = 0, std::string template_text = {}) {
  model::event e;
  e.source = "test";
  e.time_ns = time_ns;
  e.message = std::move(message);
  e.entities = std::move(entities);
  e.template_id = template_id;
  e.template_text = std::move(template_text);
  return e;
}

inline sqlite_db open_reader(const std::string& path) {
  return sqlite_db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, 0);
}

}  // namespace seerflow::store::test
