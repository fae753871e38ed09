// Ingest benchmark for the event store, SQLite by default or PostgreSQL with --postgresql URL
// (the same JSON; for PostgreSQL the server's CPU is not in store_cpu_seconds, so events_per_s,
// from the wall time spent in the store calls, is the figure to read): synthetic but realistic
// sshd-style events with 1-4 entities each (drawn uniformly from a pool of --entities, 10k by
// default) and ~50 templates, committed every --commit events. The full-text index is kept as the
// agent keeps it: by its own thread, in its own file, in parallel with the writer
// (--text-index thread, the default; at idle priority as in the agent, --text-priority normal
// to give it a normal share on a machine busy with other work), or on the writer's thread
// after each commit (--text-index inline), or not at all (--text-index none). The run ends when
// the writer is done and the index has caught up, so sustained_events_per_s includes it.
// Prints one JSON object.
//
// Rates count only the time spent inside the store calls. The machine is shared, so beside
// wall-clock rates it reports CPU time and the time blocked in I/O (wall time minus CPU time
// minus time spent waiting for a CPU, from /proc/thread-self/schedstat):
// events_per_s_own_core = events / (store CPU + blocked) is the rate with a core to itself.
//
// events_per_s_two_cores = events / max(writer's own-core time, indexer CPU) is the rate with a
// core for each of the two threads.
//
//   bench_store_ingest [--events 2000000] [--commit 4096] [--entities 10000]
//                      [--fold-links N] [--fold-ms N] [--synchronous normal]
//                      [--dir D] [--keep] [--text-index thread|inline|none]
//                      [--text-priority idle|normal] [--postgresql URL]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <memory>
#include "bench/store/synthetic_events.hpp"
#include "runtime/store/event_store.hpp"
#include "runtime/store/pg/pg_connection.hpp"
#include "runtime/store/pg/pg_event_store.hpp"

namespace fs = std::filesystem;
using namespace seerflow;

int main(int argc, char** argv) {
  std::size_t total = 2'000'000, per_commit = 4096;
  int n_entities = 10000;
  std::size_t fold_links = store::store_options{}.fold_links;
  std::int64_t fold_interval_ms = store::store_options{}.fold_interval_ms;
  std::string dir, synchronous = "normal";
  bool keep = false;
  std::string text_mode = "thread", text_priority = "idle";
  std::string pg_url;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--events")
      total = std::stoull(next());
    else if (a == "--commit")
      per_commit = std::stoull(next());
    else if (a == "--dir")
      dir = next();
    else if (a == "--synchronous")
      synchronous = next();
    else if (a == "--keep")
      keep = true;
    else if (a == "--no-text-index")
      text_mode = "none";
    else if (a == "--text-index")
      text_mode = next();
    else if (a == "--text-priority")
      text_priority = next();
    else if (a == "--fold-links")
      fold_links = std::stoull(next());
    else if (a == "--fold-ms")
      fold_interval_ms = std::stoll(next());
    else if (a == "--postgresql")
      pg_url = next();
    else if (a == "--entities")
      n_entities = std::max(10, std::stoi(next()));
    else {
      std::cerr << "usage: bench_store_ingest [--events N] [--commit N] [--dir D] "
                   "[--synchronous off|normal|full] [--entities N] [--fold-links N] [--fold-ms N] "
                   "[--keep] [--text-index thread|inline|none] [--text-priority idle|normal] "
                   "[--postgresql URL]\n";
      return 2;
    }
  }
  if (text_mode != "thread" && text_mode != "inline" && text_mode != "none") {
    std::cerr << "--text-index must be thread, inline or none\n";
    return 2;
  }
  const bool text_index = text_mode != "none";
  if (per_commit == 0) per_commit = 1;

  const fs::path work = dir.empty() ? fs::temp_directory_path() /
                                          ("seerflow-bench-store-" + std::to_string(::getpid()))
                                    : fs::path(dir);
  fs::create_directories(work);
  const fs::path db_path = work / "ingest.db";
  for (const char* suffix : {"", "-wal", "-shm", "-fts", "-fts-wal", "-fts-shm"})
    fs::remove(db_path.string() + suffix);

  // Prepared before timing: a pool of batches the store sees over and over with fresh
  // sequence numbers and times (the links stay distinct because event ids are new).
  const std::size_t pool_batches = std::max<std::size_t>(1, (1u << 16) / per_commit);
  auto pool = bench::make_pool(pool_batches * per_commit, n_entities, 42);
  std::vector<std::vector<model::event>> batches(pool_batches);
  for (std::size_t b = 0; b < pool_batches; ++b)
    batches[b].assign(std::make_move_iterator(pool.begin() + b * per_commit),
                      std::make_move_iterator(pool.begin() + (b + 1) * per_commit));

  using clock = std::chrono::steady_clock;
  // CPU time of this thread: other developers' builds share the machine, and wall time alone
  // would charge their work to the store.
  auto thread_cpu_s = [] {
    rusage r{};
    getrusage(RUSAGE_THREAD, &r);
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
  };
  // Time this thread waited for a CPU (run queue), from the scheduler's own accounting; the
  // rest of the wall time not spent on a CPU is time blocked in I/O (fsync, mostly).
  auto run_queue_s = [] {
    std::FILE* f = std::fopen("/proc/thread-self/schedstat", "r");
    unsigned long long on_cpu = 0, waiting = 0;
    if (f) {
      if (std::fscanf(f, "%llu %llu", &on_cpu, &waiting) != 2) waiting = 0;
      std::fclose(f);
    }
    return static_cast<double>(waiting) * 1e-9;
  };
  double store_cpu_s = 0, add_cpu_s = 0, commit_cpu_s = 0, fold_cpu_s = 0;
  std::vector<double> fold_ms;
  std::vector<double> commit_ms;
  double store_s = 0, text_s = 0;
  std::uint64_t rows = 0, seq = 0;
  std::int64_t t_ns = 1'700'000'000'000'000'000;
  auto process_cpu_s = [] {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
  };
  double catch_up_s = 0;
  const auto wall0 = clock::now();
  const double cpu0 = thread_cpu_s(), runq0 = run_queue_s(), process_cpu0 = process_cpu_s();
  {
    store::store_options options{db_path.string(), synchronous};
    options.fold_links = fold_links;
    options.fold_interval_ms = fold_interval_ms;
    options.text_index = text_index;
    options.text.background = text_mode == "thread";
    options.text.idle_priority = text_priority == "idle";
    std::unique_ptr<store::event_writer> writer;
    if (pg_url.empty())
      writer = std::make_unique<store::event_store>(options);
    else
      writer = std::make_unique<store::pg::pg_event_store>(store::pg::pg_options{pg_url});
    auto& st = *writer;
    for (std::size_t done = 0, b = 0; done < total; ++b) {
      auto& batch = batches[b % pool_batches];
      const std::size_t n = std::min(per_commit, total - done);
      if (n < batch.size()) batch.resize(n);
      for (auto& e : batch) {
        e.seq = ++seq;
        t_ns += 1000 + static_cast<std::int64_t>(seq % 7) * 100;
        e.time_ns = t_ns;
        e.arrival_ns = t_ns + 2'000'000;
      }
      const double c0 = thread_cpu_s();
      const auto t0 = clock::now();
      st.add_events(batch);
      const double c1 = thread_cpu_s();
      const auto t1 = clock::now();
      const auto folds_before = st.totals().folds;
      rows += st.commit();
      const auto t2 = clock::now();
      const double c2 = thread_cpu_s();
      store_cpu_s += c2 - c0;
      add_cpu_s += c1 - c0;
      if (st.totals().folds != folds_before) {
        fold_cpu_s += c2 - c1;
        fold_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      } else {
        commit_cpu_s += c2 - c1;
      }
      store_s += std::chrono::duration<double>(t2 - t0).count();
      // The full-text index follows each commit, so the rate is sustained with it included
      // (the store actor defers it to quiet moments, which only moves the same work).
      if (text_mode == "inline") {
        const auto t3 = clock::now();
        st.index_text(n);
        const double dt = std::chrono::duration<double>(clock::now() - t3).count();
        text_s += dt;
        store_s += dt;
        store_cpu_s += thread_cpu_s() - c2;
      }
      commit_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      done += n;
    }
    // The index's thread catches up (the run is sustained only if it keeps up).
    const auto writer_done = clock::now();
    while (text_mode == "thread" && st.unindexed_text() > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    catch_up_s = std::chrono::duration<double>(clock::now() - writer_done).count();
    const auto& tot = st.totals();
    const double wall_s = std::chrono::duration<double>(clock::now() - wall0).count();
    const double writer_cpu_s = thread_cpu_s() - cpu0;
    // The index's thread: what the process used beyond this thread (nothing else runs).
    const double indexer_cpu_s =
        text_mode == "thread" ? std::max(0.0, process_cpu_s() - process_cpu0 - writer_cpu_s) : 0.0;
    const double runq_s = run_queue_s() - runq0;
    // Up to the writer's end: afterwards this thread only waits for the index.
    const double writer_wall_s = std::chrono::duration<double>(writer_done - wall0).count();
    const double blocked_s = std::max(0.0, writer_wall_s - (thread_cpu_s() - cpu0) - runq_s);
    std::uintmax_t db_bytes = 0, wal_bytes = 0;
    if (pg_url.empty()) {
      db_bytes = fs::file_size(db_path);
      std::error_code ec;
      const auto index_bytes = fs::file_size(db_path.string() + "-fts", ec);
      if (!ec) db_bytes += index_bytes;
      wal_bytes =
          fs::exists(db_path.string() + "-wal") ? fs::file_size(db_path.string() + "-wal") : 0;
    } else {
      store::pg::connection c(pg_url);
      db_bytes = static_cast<std::uintmax_t>(
          c.query("SELECT pg_database_size(current_database())").int64(0, 0));
    }
    std::sort(commit_ms.begin(), commit_ms.end());
    auto pct = [&](double p) {
      return commit_ms[std::min(commit_ms.size() - 1,
                                static_cast<std::size_t>(p * (commit_ms.size() - 1) + 0.5))];
    };
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    nlohmann::json out = {
        {"benchmark", "store_ingest"},
        {"backend", pg_url.empty() ? "sqlite" : "postgresql"},
        {"events", tot.events},
        {"links", tot.links},
        {"entities_upserted", tot.entities_upserted},
        {"templates_upserted", tot.templates_upserted},
        {"commits", tot.commits},
        {"events_per_commit", per_commit},
        {"entity_pool", n_entities},
        {"fold_links", fold_links},
        {"fold_interval_ms", fold_interval_ms},
        {"synchronous", synchronous},
        {"folds", tot.folds},
        {"postings_written", tot.postings_written},
        {"store_seconds", store_s},
        {"text_index", text_mode},
        {"text_priority", text_priority},
        {"text_index_seconds", text_s},
        {"text_index_thread_cpu_seconds", indexer_cpu_s},
        {"text_index_catch_up_seconds", catch_up_s},
        {"sustained_events_per_s", static_cast<double>(tot.events) / wall_s},
        {"events_per_s_two_cores",
         static_cast<double>(tot.events) / std::max(store_cpu_s + blocked_s, indexer_cpu_s)},
        {"text_index_events_per_cpu_s",
         indexer_cpu_s > 0 ? static_cast<double>(tot.events) / indexer_cpu_s : 0.0},
        {"store_cpu_seconds", store_cpu_s},
        {"cpu_seconds",
         {{"add_events", add_cpu_s}, {"commit", commit_cpu_s}, {"commit_with_fold", fold_cpu_s}}},
        // Throughput if this thread had never waited for a CPU (the machine is shared):
        // store CPU time plus time blocked in I/O.
        {"run_queue_seconds", runq_s},
        {"blocked_seconds", blocked_s},
        {"events_per_s_own_core", static_cast<double>(tot.events) / (store_cpu_s + blocked_s)},
        {"fold_commit_ms",
         {{"count", fold_ms.size()},
          {"max", fold_ms.empty() ? 0.0 : *std::max_element(fold_ms.begin(), fold_ms.end())}}},
        {"events_per_cpu_s", static_cast<double>(tot.events) / store_cpu_s},
        {"wall_seconds", wall_s},
        {"events_per_s", static_cast<double>(tot.events) / store_s},
        {"rows_per_s", static_cast<double>(tot.events + tot.links) / store_s},
        {"all_rows_per_s", static_cast<double>(rows) / store_s},
        {"links_per_event", static_cast<double>(tot.links) / static_cast<double>(tot.events)},
        {"commit_ms", {{"p50", pct(0.5)}, {"p99", pct(0.99)}, {"max", commit_ms.back()}}},
        {"db_bytes", db_bytes},
        {"wal_bytes", wal_bytes},
        {"db_bytes_per_million_events",
         static_cast<double>(db_bytes + wal_bytes) * 1e6 / static_cast<double>(tot.events)},
        {"peak_rss_kb", ru.ru_maxrss},
    };
    std::cout << out.dump() << std::endl;
  }
  if (!keep) fs::remove_all(work);
  return 0;
}
