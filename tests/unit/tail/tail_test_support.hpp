#pragma once
// Shared pieces of the file-tail tests: a scratch directory removed at the end, file helpers,
// and a harness that drives a tailer with explicit (monotonic) times and keeps what it emits.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/tail/tailer.hpp"

namespace seerflow::test {

class scratch_dir {
 public:
  scratch_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "seerflow-tail.XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

inline void overwrite(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

struct emitted {
  std::string text;
  std::string path;
  std::uint64_t first_line;
  tail::file_mark mark;
};

struct tail_harness {
  explicit tail_harness(tail::tailer_options o, tail::checkpoint_map cps = {})
      : t(std::move(o), std::move(cps),
          [this](std::string_view kind, std::string_view reason, const std::string& msg) {
            notices.push_back(std::string(kind) + "/" + std::string(reason) + ": " + msg);
          }) {}

  // Rescans, then polls until nothing more is emitted; returns the texts emitted this time.
  std::vector<std::string> step(std::int64_t now_ns = 0, std::size_t per_poll = 1000) {
    t.rescan(now_ns);
    return drain(now_ns, per_poll);
  }
  std::vector<std::string> drain(std::int64_t now_ns = 0, std::size_t per_poll = 1000) {
    std::vector<std::string> out;
    for (;;) {
      const auto n = t.poll(per_poll, now_ns, [&](const tail::tail_record& r) {
        out.emplace_back(r.text);
        all.push_back({std::string(r.text), *r.path, r.first_line, r.mark});
      });
      if (n == 0) break;
    }
    return out;
  }

  tail::tailer t;
  std::vector<emitted> all;
  std::vector<std::string> notices;
};

using texts = std::vector<std::string>;

}  // namespace seerflow::test
