// Query benchmark on a large store: builds (or reuses from --cache) a SQLite store of --events
// synthetic sshd/PAM events (10 million by default; 1-4 entities each from a pool of 300k,
// full-text indexed), then times, through the query code `seerflow query` uses:
//   - a selective full-text search (one account's failed passwords, newest 100), and
//   - an entity timeline (one address's events and alerts, oldest 100, as `query timeline`).
// Each query runs --runs times on a warm cache; the JSON reports every run's milliseconds, the
// median, the rows answered, the build rate and the database size per million events.
//
//   bench_store_query [--events 10000000] [--cache DIR] [--runs 7] [--entities 300000]
//                     [--postgresql URL]
//
// With --postgresql the store is built in (or reused from) that PostgreSQL database instead,
// and queried through the PostgreSQL reader; the size is pg_database_size().
//
// Without --cache the store is built in a temporary directory and removed afterwards. With it,
// DIR/query-<events>.db is reused when it is complete (a build that stopped is started over).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/store/synthetic_events.hpp"
#include "runtime/query/alert_query.hpp"
#include "runtime/query/event_query.hpp"
#include "runtime/query/sqlite_reader.hpp"
#include "runtime/store/event_store.hpp"
#include "runtime/store/pg/pg_connection.hpp"
#include "runtime/store/pg/pg_event_store.hpp"
#include "runtime/store/pg/pg_reader.hpp"
#include "runtime/store/text_index.hpp"

namespace fs = std::filesystem;
using namespace seerflow;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// Builds the store: batches of 16384 (the store actor's default flush), each followed by its
// full-text indexing, and a marker row when complete.
double build_store(store::event_writer& st, std::size_t total, int n_entities) {
  const bench::entity_pool pool(n_entities);
  std::mt19937_64 rng(7);
  constexpr std::size_t batch_size = 16384;
  std::vector<model::event> batch(batch_size);
  // Events spread over 30 days, in time order, as an agent would have stored them.
  const std::int64_t span_ns = 30LL * 86400 * 1'000'000'000;
  const std::int64_t t0 = 1'790'000'000LL * 1'000'000'000;
  const auto start = clock_type::now();
  for (std::size_t done = 0; done < total;) {
    const std::size_t n = std::min(batch_size, total - done);
    batch.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = done + i;
      bench::make_event(batch[i], k, pool, rng);
      batch[i].seq = k + 1;
      batch[i].time_ns =
          t0 + static_cast<std::int64_t>(static_cast<double>(span_ns) * static_cast<double>(k) /
                                         static_cast<double>(total));
      batch[i].arrival_ns = batch[i].time_ns + 1'000'000;
    }
    st.add_events(batch);
    st.commit();
    st.index_text(n);
    done += n;
    if (done % (1 << 20) < n)
      std::cerr << "built " << done << " of " << total << " events, " << seconds_since(start)
                << " s\n";
  }
  st.fold();
  st.save_state("bench_store_query_complete", std::to_string(total));
  return seconds_since(start);
}

struct timing {
  std::vector<double> ms;
  std::size_t rows = 0;
  double median() const {
    auto v = ms;
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t total = 10'000'000;
  int runs = 7, n_entities = 300'000;
  std::string cache, pg_url;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--events")
      total = std::stoull(next());
    else if (a == "--cache")
      cache = next();
    else if (a == "--runs")
      runs = std::max(1, std::stoi(next()));
    else if (a == "--postgresql")
      pg_url = next();
    else if (a == "--entities")
      n_entities = std::max(100, std::stoi(next()));
    else {
      std::cerr << "usage: bench_store_query [--events N] [--cache DIR] [--runs N] "
                   "[--entities N] [--postgresql URL]\n";
      return 2;
    }
  }
  const fs::path dir = cache.empty() ? fs::temp_directory_path() /
                                           ("seerflow-bench-query-" + std::to_string(::getpid()))
                                     : fs::path(cache);
  fs::create_directories(dir);
  const std::string path =
      (dir / ("query-" + std::to_string(total) + "-" + std::to_string(n_entities) + ".db"))
          .string();

  bool reused = false;
  double build_s = 0;
  std::unique_ptr<query::store_reader> reader;
  std::int64_t stored = 0;
  std::uintmax_t db_bytes = 0;
  if (pg_url.empty()) {
    if (fs::exists(path)) {
      store::sqlite_db db(path);
      reused = db.query_int64(
                   "SELECT count(*) FROM model_state WHERE name = "
                   "'bench_store_query_complete'") == 1;
    }
    if (!reused) {
      for (const char* suffix : {"", "-wal", "-shm", "-fts", "-fts-wal", "-fts-shm"})
        fs::remove(path + suffix);
      store::event_store st({path});
      build_s = build_store(st, total, n_entities);
    } else {
      // A store built by an older schema is migrated here, and its index rebuilt if need be.
      store::event_store st({path});
      while (st.unindexed_text() > 0) st.index_text(1 << 20);
    }
    // The reader the CLI opens: read-only, beside a (here absent) writer.
    store::sqlite_db db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, 5000);
    store::attach_text_index(db);
    stored = db.query_int64("SELECT count(*) FROM events");
    db_bytes = fs::file_size(path) +
               (fs::exists(path + "-wal") ? fs::file_size(path + "-wal") : 0) +
               (fs::exists(path + "-fts") ? fs::file_size(path + "-fts") : 0);
    reader = std::make_unique<query::sqlite_reader>(std::move(db));
  } else {
    {
      store::pg::pg_event_store st({pg_url});
      reused = st.load_state("bench_store_query_complete") == std::to_string(total);
      if (!reused) build_s = build_store(st, total, n_entities);
    }
    store::pg::connection c(pg_url);
    c.exec("ANALYZE");  // fresh statistics, as autovacuum would have them on a live server
    stored = c.query("SELECT count(*) FROM events").int64(0, 0);
    db_bytes = static_cast<std::uintmax_t>(
        c.query("SELECT pg_database_size(current_database())").int64(0, 0));
    reader = std::make_unique<store::pg::pg_reader>(pg_url);
  }

  // A user and an address from the middle of the pool (about 1 in 90,000 users and 180,000
  // addresses per event: a selective search and a timeline of a few dozen events).
  const bench::entity_pool pool(n_entities);
  const std::string user =
      pool.all[static_cast<std::size_t>(pool.users[pool.users.size() / 2])].value;
  const std::string ip = pool.all[static_cast<std::size_t>(pool.ips[pool.ips.size() / 3])].value;

  timing search, timeline;
  query::event_filter sf;
  sf.search = "\"failed password for " + user + "\"";
  sf.limit = 100;
  query::event_filter tf;
  tf.entity = "ip:" + ip;
  tf.oldest_first = true;
  tf.limit = 100;
  query::alert_filter af;
  af.entity = tf.entity;
  af.oldest_first = true;
  af.limit = 100;
  for (int r = 0; r < runs; ++r) {
    auto t0 = clock_type::now();
    std::size_t n = reader->events(sf, [](const query::event_row&) { return true; });
    search.ms.push_back(seconds_since(t0) * 1000);
    search.rows = n;
    t0 = clock_type::now();
    n = reader->events(tf, [](const query::event_row&) { return true; });
    n += reader->alerts(af, [](const query::alert_row&) { return true; });
    timeline.ms.push_back(seconds_since(t0) * 1000);
    timeline.rows = n;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  nlohmann::json out = {
      {"benchmark", "store_query"},
      {"backend", pg_url.empty() ? "sqlite" : "postgresql"},
      {"events", stored},
      {"entity_pool", n_entities},
      {"store_reused", reused},
      {"build_seconds", build_s},
      {"build_events_per_s", build_s > 0 ? static_cast<double>(stored) / build_s : 0.0},
      {"db_bytes", db_bytes},
      {"db_bytes_per_million_events", static_cast<double>(db_bytes) * 1e6 /
                                          static_cast<double>(std::max<std::int64_t>(1, stored))},
      {"search",
       {{"query", sf.search},
        {"rows", search.rows},
        {"ms", search.ms},
        {"median_ms", search.median()}}},
      {"timeline",
       {{"entity", tf.entity},
        {"rows", timeline.rows},
        {"ms", timeline.ms},
        {"median_ms", timeline.median()}}},
      {"peak_rss_kb", ru.ru_maxrss},
  };
  std::cout << out.dump() << std::endl;
  if (cache.empty()) fs::remove_all(dir);
  return 0;
}
