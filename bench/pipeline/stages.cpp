// Stage costs of the event path without actors: decode + Drain + entities + logsource (the
// source pipeline) and the SQLite store, on the same real events, one after the other on one
// core. Tells which stage limits the end-to-end rate.
//
//   bench_pipeline_stages LOGFILE [--format syslog|raw] [--batch N] [--db PATH] [--commit N]
//                         [--parse-only]
// Prints one JSON object: µs per event per stage, events/s per stage.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"
#include "runtime/parse/entity_extractor.hpp"
#include "runtime/parse/logsource_inference.hpp"
#include "runtime/parse/source_pipeline.hpp"
#include "runtime/parse/syslog_decoder.hpp"
#include "runtime/store/event_store.hpp"
#include "runtime/util/clock.hpp"

using namespace seerflow;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s LOGFILE [--format syslog|raw] [--batch N] [--db PATH] [--commit N] "
                 "[--parse-only]\n",
                 argv[0]);
    return 2;
  }
  std::string path = argv[1], db = "/tmp/bench-stages.db";
  model::input_format format = model::input_format::syslog;
  std::size_t batch_size = 512, commit_every = 4096;
  bool parse_only = false;
  for (int i = 2; i < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--parse-only") {
      parse_only = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) break;
    if (a == "--format")
      format = std::string(argv[i + 1]) == "raw" ? model::input_format::raw
                                                 : model::input_format::syslog;
    else if (a == "--batch")
      batch_size = std::stoul(argv[i + 1]);
    else if (a == "--db")
      db = argv[i + 1];
    else if (a == "--commit")
      commit_every = std::stoul(argv[i + 1]);
  }
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    std::string l;
    while (std::getline(in, l)) {
      if (!l.empty() && l.back() == '\r') l.pop_back();
      lines.push_back(std::move(l));
    }
  }
  parse::source_pipeline_options po;
  po.source = "bench";
  parse::source_pipeline pipeline(po, nullptr);
  std::vector<std::vector<model::event>> batches;
  const auto now = util::wall_now_ns();
  auto t0 = clk::now();
  std::size_t events = 0, entity_refs = 0, deliveries = 0;
  for (std::size_t i = 0; i < lines.size(); i += batch_size) {
    model::raw_batch b;
    b.format = format;
    for (std::size_t j = i; j < std::min(lines.size(), i + batch_size); ++j)
      b.records.push_back({lines[j], now, "127.0.0.1:1"});
    parse::pipeline_output out;
    pipeline.process(b, out);
    events += out.events.size();
    deliveries += out.entities.size() + out.templates.size();
    for (const auto& e : out.events) entity_refs += e.entities.size();
    batches.push_back(std::move(out.events));
  }
  const double parse_s = std::chrono::duration<double>(clk::now() - t0).count();

  if (parse_only) {
    std::printf("{\"parse_us_per_event\": %.3f}\n", parse_s * 1e6 / events);
    return 0;
  }
  // The pipeline's parts alone, on the same records: where its time goes.
  double decode_s = 0, drain_s = 0, entities_s = 0, logsource_s = 0;
  {
    std::vector<model::event> evs(lines.size());
    parse::decode_options dopt;
    dopt.time.reference_ns = now;
    parse::rejection why;
    parse::decode_notes notes;
    auto t = clk::now();
    for (std::size_t i = 0; i < lines.size(); ++i)
      parse::decode_syslog(lines[i], dopt, evs[i], why, notes);
    decode_s = std::chrono::duration<double>(clk::now() - t).count();
    parse::drain_miner miner(po.drain);
    std::vector<std::string> params;
    t = clk::now();
    for (auto& ev : evs) miner.add(ev.message, &params);
    drain_s = std::chrono::duration<double>(clk::now() - t).count();
    parse::entity_extractor extractor(po.entities);
    t = clk::now();
    for (auto& ev : evs) extractor.extract(ev, ev.entities);
    entities_s = std::chrono::duration<double>(clk::now() - t).count();
    parse::logsource_inference ls;
    t = clk::now();
    for (auto& ev : evs) ev.ls = ls.infer(ev);
    logsource_s = std::chrono::duration<double>(clk::now() - t).count();
  }

  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  store::store_options so;
  so.path = db;
  store::event_store st(so);
  t0 = clk::now();
  std::size_t pending = 0;
  for (const auto& b : batches) {
    st.add_events(b);
    pending += b.size();
    if (pending >= commit_every) {
      st.commit();
      pending = 0;
    }
  }
  st.commit();
  const double store_s = std::chrono::duration<double>(clk::now() - t0).count();
  t0 = clk::now();
  st.fold();
  const double fold_s = std::chrono::duration<double>(clk::now() - t0).count();

  nlohmann::ordered_json j;
  j["benchmark"] = "pipeline_stages";
  j["events"] = events;
  j["entities_per_event"] = static_cast<double>(entity_refs) / events;
  j["deliveries_per_event"] = static_cast<double>(deliveries) / events;
  j["parse_us_per_event"] = parse_s * 1e6 / events;
  j["parse_events_per_s"] = events / parse_s;
  j["alone_decode_us"] = decode_s * 1e6 / lines.size();
  j["alone_drain_us"] = drain_s * 1e6 / lines.size();
  j["alone_entities_us"] = entities_s * 1e6 / lines.size();
  j["alone_logsource_us"] = logsource_s * 1e6 / lines.size();
  j["store_us_per_event"] = store_s * 1e6 / events;
  j["store_events_per_s"] = events / store_s;
  j["final_fold_s"] = fold_s;
  j["store_folds"] = st.totals().folds;
  std::error_code ec;
  j["db_mb"] = std::filesystem::file_size(db, ec) / 1048576.0;
  std::printf("%s\n", j.dump(2).c_str());
}
