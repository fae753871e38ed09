// File-tail throughput: the tailer core reads a large file (written beforehand, in the page
// cache) into raw_batches of 1024 records exactly as the receiver builds them (record copy,
// arrival time, peer "file:/path:LINE", per-file commit marks, the read positions each batch
// carries to the store). Plain lines, then the same file with multi-line grouping on (a
// continuation pattern that never matches, so the regex runs on every line), then a file of Java
// stack traces grouped into records. Prints one JSON object.
//
//   bench_tail_tail_throughput [--lines N] [--dir DIR]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/model/raw_record.hpp"
#include "runtime/tail/tailer.hpp"
#include "runtime/util/clock.hpp"

using namespace seerflow;
using clock_type = std::chrono::steady_clock;

namespace {

struct result {
  std::size_t records = 0;
  std::size_t batches = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
};

result run(const std::string& dir, const tail::multiline_options& ml) {
  tail::tailer_options o;
  o.paths = {dir + "/*.log"};
  o.start_at_end = false;
  o.multiline = ml;
  tail::tailer t(o, {});
  result r;
  const auto start = clock_type::now();
  t.rescan(util::mono_now_ns());
  model::raw_batch batch;
  batch.format = model::input_format::raw;
  tail::batch_marks marks;
  std::vector<model::raw_batch> sink;  // only the last batch is kept, like a fast pipeline
  for (;;) {
    const auto now = util::mono_now_ns();
    const auto n = t.poll(1024, now, [&](const tail::tail_record& rec) {
      model::raw_record out;
      out.data.assign(rec.text);
      out.arrival_ns = util::wall_now_ns();
      out.peer.reserve(rec.path->size() + 26);
      out.peer.append("file:").append(*rec.path).append(":").append(std::to_string(rec.first_line));
      batch.records.push_back(std::move(out));
      if (marks.empty() || !(marks.back().key == rec.mark.key))
        marks.push_back(rec.mark);
      else
        marks.back() = rec.mark;
    });
    if (!batch.records.empty()) {
      // The read positions the batch carries to the store, as file_tail_server attaches them.
      auto offsets = std::make_shared<model::tail_offsets>();
      offsets->tailer = "bench/files";
      offsets->seq = r.batches + 1;
      for (const auto& m : marks)
        offsets->files.push_back(model::tail_file_offset{
            m.key.dev, m.key.ino, m.fingerprint, m.fingerprint_len, m.end_offset, m.end_line});
      batch.tail = std::move(offsets);
      r.records += batch.records.size();
      ++r.batches;
      sink.clear();
      sink.push_back(std::move(batch));
      batch = model::raw_batch{};
      batch.records.reserve(1024);
      marks.clear();
    }
    if (n == 0) {
      // Everything read: the last grouped record is flushed as its timeout would.
      std::size_t flushed = 0;
      t.poll(1024, std::numeric_limits<std::int64_t>::max() / 2,
             [&](const tail::tail_record&) { ++flushed; });
      r.records += flushed;
      break;
    }
  }
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  r.bytes = t.stats().bytes_read;
  return r;
}

nlohmann::ordered_json to_json(const result& r) {
  nlohmann::ordered_json j;
  j["records"] = r.records;
  j["batches"] = r.batches;
  j["bytes"] = r.bytes;
  j["seconds"] = r.seconds;
  j["records_per_s"] = r.records / r.seconds;
  j["mib_per_s"] = static_cast<double>(r.bytes) / (1024.0 * 1024.0) / r.seconds;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t lines = 2'000'000;
  std::string base = std::filesystem::temp_directory_path().string();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--lines" && i + 1 < argc)
      lines = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--dir" && i + 1 < argc)
      base = argv[++i];
    else {
      std::cerr << "usage: bench_tail_tail_throughput [--lines N] [--dir DIR]\n";
      return 2;
    }
  }
  std::string tmpl = base + "/seerflow-tail-bench.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string plain_dir = tmpl + "/plain";
  const std::string trace_dir = tmpl + "/traces";
  std::filesystem::create_directories(plain_dir);
  std::filesystem::create_directories(trace_dir);
  {
    // Realistic application lines, ~110 bytes each.
    std::FILE* f = std::fopen((plain_dir + "/app.log").c_str(), "w");
    for (std::size_t i = 0; i < lines; ++i)
      std::fprintf(f,
                   "2024-05-01T12:%02zu:%02zu.%03zuZ INFO  [worker-%zu] request id=%zu "
                   "user=alice path=/api/v1/items/%zu status=200 took=%zums\n",
                   (i / 60000) % 60, (i / 1000) % 60, i % 1000, i % 16, i, i % 9973, i % 250);
    std::fclose(f);
    // Java stack traces: 1 header + 5 continuation lines per record.
    std::FILE* g = std::fopen((trace_dir + "/app.log").c_str(), "w");
    for (std::size_t i = 0; i < lines / 6; ++i)
      std::fprintf(g,
                   "2024-05-01T12:00:00.%03zuZ ERROR request %zu failed\n"
                   "java.lang.IllegalStateException: bad state %zu\n"
                   "\tat com.example.Service.handle(Service.java:%zu)\n"
                   "\tat com.example.Http.dispatch(Http.java:88)\n"
                   "Caused by: java.io.IOException: broken pipe\n"
                   "\t... 12 more\n",
                   i % 1000, i, i, i % 500);
    std::fclose(g);
  }

  tail::multiline_options none;
  tail::multiline_options cont;
  cont.continuation_pattern = R"(^(\s|Caused by:))";
  tail::multiline_options start;
  start.start_pattern = R"(^\d{4}-\d{2}-\d{2}T)";

  run(plain_dir, none);  // warm-up: page cache and allocator
  const auto plain = run(plain_dir, none);
  const auto plain_regex = run(plain_dir, cont);
  const auto traces = run(trace_dir, start);

  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  nlohmann::ordered_json out;
  out["bench"] = "tail_throughput";
  out["lines"] = lines;
  out["batch_size"] = 1024;
  out["plain"] = to_json(plain);
  out["plain_with_continuation_regex"] = to_json(plain_regex);
  out["java_traces_start_pattern"] = to_json(traces);
  out["java_traces_start_pattern"]["lines_per_s"] =
      static_cast<double>(traces.records * 6) / traces.seconds;
  out["peak_rss_kib"] = ru.ru_maxrss;
  std::cout << out.dump(2) << std::endl;
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
  return 0;
}
