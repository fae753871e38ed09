// The ensemble's verdict on every event of a log, for looking at why something was or was not
// flagged:
//   bench_detect_trace FILE [--year YYYY] [--from N] [--syslog] [--partials] [--risk Q]
// Decodes FILE as the source pipeline does in `seerflow analyze` (raw, or syslog with
// --syslog; replay, event time from the log), scores every event with the default settings and
// prints one JSON object per event from event N on (1-based): score, threshold, direction, verdict
// and every counted channel's raw value and z (with --partials also every channel's partial
// score as the ensemble received it). Ends with a summary object.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/detect/stream_scorer.hpp"
#include "runtime/parse/source_pipeline.hpp"

using namespace seerflow;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: bench_detect_trace FILE [--year YYYY] [--from N] [--syslog] [--partials] "
                 "[--risk Q]\n");
    return 2;
  }
  int year = 2025;
  std::size_t from = 1;
  bool syslog = false, partials = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--syslog")) syslog = true;
    if (!std::strcmp(argv[i], "--partials")) partials = true;
  }
  for (int i = 2; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--year")) year = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--from")) from = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  parse::source_pipeline_options o;
  o.replay = true;
  o.first_year = year;
  parse::source_pipeline p(o, nullptr);
  model::raw_batch b;
  b.format = syslog ? model::input_format::syslog : model::input_format::raw;
  for (std::string l; std::getline(in, l);) b.records.push_back({l, 1, "trace"});
  parse::pipeline_output out;
  p.process(b, out);

  detect::settings s;
  for (int i = 2; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--risk")) s.ensemble.threshold.q = std::atof(argv[i + 1]);
  detect::stream_scorer sc(s);
  std::vector<std::uint64_t> keys;
  std::size_t n = 0, flagged = 0, calibrated_at = 0;
  for (const auto& ev : out.events) {
    ++n;
    keys.clear();
    for (const auto& e : ev.entities) keys.push_back(model::entity_key(e.id));
    detect::stream_event se;
    se.time_ns = ev.time_ns;
    se.template_id = ev.template_id;
    se.severity = detect::otel_severity_from_syslog(ev.severity);
    se.param_count = static_cast<std::uint32_t>(ev.params.size());
    se.message_length = static_cast<std::uint32_t>(ev.message.size());
    se.message = ev.message;
    se.entity_keys = keys.data();
    se.entity_count = static_cast<std::uint32_t>(keys.size());
    const auto p = sc.channels(se);
    const auto r = sc.fuse(p);
    if (r.calibrated && !calibrated_at) calibrated_at = n;
    flagged += r.anomaly;
    if (n < from) continue;
    nlohmann::ordered_json j;
    j["seq"] = n;
    j["score"] = r.score;
    j["threshold"] = r.threshold;
    j["dir"] = r.dir == detect::direction::lower ? "lower" : "upper";
    j["anomaly"] = r.anomaly;
    for (std::size_t k = 0; k < r.parts_count; ++k)
      j[detect::channel_names[static_cast<std::size_t>(r.parts[k].ch)]] = {r.parts[k].raw,
                                                                           r.parts[k].z};
    if (partials) {
      // Every channel as the ensemble received it: [value, present, warm].
      auto raw = nlohmann::ordered_json::array();
      for (const auto& c : p) raw.push_back({c.value, c.present, c.warm});
      j["partials"] = std::move(raw);
    }
    j["template_id"] = ev.template_id;
    j["message"] = ev.message.substr(0, 80);
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  nlohmann::ordered_json j;
  j["events"] = n;
  j["flagged"] = flagged;
  j["calibrated_at"] = calibrated_at;
  const auto& d = sc.fused().threshold();
  j["upper_fit"] = {{"xi", d.upper_fit().xi}, {"sigma", d.upper_fit().sigma}};
  j["lower_fit"] = {{"xi", d.lower_fit().xi}, {"sigma", d.lower_fit().sigma}};
  j["upper_threshold"] = d.upper_threshold();
  j["lower_threshold"] = d.lower_threshold();
  j["drift"] = d.drift();
  std::printf("%s\n", j.dump().c_str());
}
