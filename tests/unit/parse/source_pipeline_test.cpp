// The source pipeline without its actor: gap-free numbering, rejections kept in place with their
// reason, deterministic template ids, per-template and per-entity deliveries, replay time
// (first year, year roll-over, records without a time), and snapshot/restore that continues
// exactly where the original would have gone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "runtime/metrics/registry.hpp"
#include "runtime/parse/source_pipeline.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/hash.hpp"
#include "tests/unit/parse/loghub.hpp"

using namespace seerflow;
using seerflow::parse::pipeline_output;
using seerflow::parse::source_pipeline;
using seerflow::parse::source_pipeline_options;

namespace {

const std::int64_t arrival = util::to_unix_ns(2025, 3, 1, 12, 30, 0);

model::raw_batch batch_of(const std::vector<std::string>& records,
                          model::input_format f = model::input_format::syslog) {
  model::raw_batch b;
  b.format = f;
  std::int64_t t = arrival;
  for (const auto& r : records) b.records.push_back({r, t++, "10.0.0.9:514"});
  return b;
}

source_pipeline_options options(std::string source = "auth") {
  source_pipeline_options o;
  o.source = std::move(source);
  return o;
}

pipeline_output run(source_pipeline& p, const std::vector<std::string>& records,
                    model::input_format f = model::input_format::syslog) {
  pipeline_output out;
  p.process(batch_of(records, f), out);
  return out;
}

std::vector<std::uint64_t> seqs(const pipeline_output& out) {
  std::vector<std::uint64_t> v;
  for (const auto& e : out.events) v.push_back(e.seq);
  return v;
}

std::string ssh(int sec, const std::string& host, const std::string& msg) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "Mar  1 12:00:%02d", sec);
  return std::string("<38>") + stamp + " " + host + " sshd[100]: " + msg;
}

// The four events of the hand-made batch used by the delivery tests.
const std::vector<std::string> ssh_batch = {
    ssh(0, "web1", "Failed password for root from 10.0.0.1 port 22 ssh2"),
    ssh(1, "web1", "Failed password for root from 10.0.0.2 port 22 ssh2"),
    ssh(2, "web2", "Accepted password for alice from 10.0.0.1 port 22 ssh2"),
    ssh(3, "web1", "Failed password for root from 10.0.0.1 port 22 ssh2"),
};

}  // namespace

TEST_CASE("events are numbered from 1 without gaps across batches") {
  source_pipeline p(options(), nullptr);
  CHECK(p.last_seq() == 0);
  auto a = run(p, {"<13>one", "<13>two", "<13>three"});
  CHECK(seqs(a) == std::vector<std::uint64_t>{1, 2, 3});
  auto b = run(p, {"<13>four"});
  CHECK(seqs(b) == std::vector<std::uint64_t>{4});
  auto empty = run(p, {});
  CHECK(empty.events.empty());
  CHECK(empty.rejected.empty());
  auto c = run(p, {"<13>five", "<999>bad", "<13>six"});
  CHECK(seqs(c) == std::vector<std::uint64_t>{5, 6});
  CHECK(p.last_seq() == 6);
  // Each event keeps its record's transport facts.
  CHECK(a.events[1].source == "auth");
  CHECK(a.events[1].peer == "10.0.0.9:514");
  CHECK(a.events[1].arrival_ns == arrival + 1);
  CHECK(a.events[1].message == "two");
}

TEST_CASE("a rejected record keeps its reason, detail, bounded data and place") {
  metrics::registry reg;
  source_pipeline p(options(), &reg);
  const std::string huge_bad_pri = "<999>" + std::string(10000, 'x');
  auto out = run(p, {ssh(0, "h", "first good"), "<999>x", "", std::string("\x00\x01\x02\x03", 4),
                     ssh(1, "h", "second good"), huge_bad_pri, std::string(200000, 'y'),
                     ssh(2, "h", "third good")});
  // The good records around the bad ones are all there, numbered without gaps.
  REQUIRE(seqs(out) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(out.events[0].message == "first good");
  CHECK(out.events[1].message == "second good");
  CHECK(out.events[2].message == "third good");
  REQUIRE(out.rejected.size() == 5);

  const auto& bad_pri = out.rejected[0];
  CHECK(bad_pri.reason == "bad_pri");
  CHECK(bad_pri.detail == "PRI 999 is above 191");
  CHECK(bad_pri.data == "<999>x");
  CHECK(bad_pri.after_seq == 1);
  CHECK(bad_pri.source == "auth");
  CHECK(bad_pri.peer == "10.0.0.9:514");
  CHECK(bad_pri.arrival_ns == arrival + 1);

  CHECK(out.rejected[1].reason == "empty");
  CHECK(out.rejected[1].detail == "record is empty");
  CHECK(out.rejected[1].data.empty());
  CHECK(out.rejected[1].after_seq == 1);
  CHECK(out.rejected[2].reason == "binary");
  CHECK(out.rejected[2].data == std::string("\x00\x01\x02\x03", 4));
  CHECK(out.rejected[2].after_seq == 1);
  CHECK(out.rejected[3].reason == "bad_pri");
  CHECK(out.rejected[3].data == huge_bad_pri.substr(0, 4096));
  CHECK(out.rejected[3].after_seq == 2);
  CHECK(out.rejected[4].reason == "oversized");
  CHECK(out.rejected[4].data == std::string(4096, 'y'));
  CHECK(out.rejected[4].detail ==
        "record of 200000 bytes exceeds twice the 65536-byte message limit");
  CHECK(out.rejected[4].after_seq == 2);

  CHECK(reg.get_counter("records_rejected",
                        {{"stage", "decode"}, {"source", "auth"}, {"reason", "bad_pri"}})
            .value() == 2);
  CHECK(reg.total("records_rejected") == 5);
  CHECK(reg.total("source_events") == 3);
}

TEST_CASE("a rejection before any event has after_seq 0") {
  source_pipeline p(options(), nullptr);
  auto out = run(p, {"<999>x", "<13>ok"});
  REQUIRE(out.rejected.size() == 1);
  CHECK(out.rejected[0].after_seq == 0);
  CHECK(seqs(out) == std::vector<std::uint64_t>{1});
  auto next = run(p, {"", "<13>ok"});
  REQUIRE(next.rejected.size() == 1);
  CHECK(next.rejected[0].after_seq == 1);  // carries across batches
}

TEST_CASE("template ids are deterministic and differ per source") {
  const std::vector<std::string> input = {ssh_batch[0],
                                          ssh_batch[1],
                                          ssh_batch[2],
                                          ssh_batch[3],
                                          "<13>Mar  1 12:00:04 h kernel: eth0 link up",
                                          "<13>Mar  1 12:00:05 h kernel: eth1 link up"};
  source_pipeline a(options("auth"), nullptr), b(options("auth"), nullptr),
      other(options("web"), nullptr);
  const auto ra = run(a, input), rb = run(b, input), ro = run(other, input);
  REQUIRE(ra.events.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("event " << i);
    CHECK(ra.events[i].template_id != 0);
    CHECK(ra.events[i].template_id == rb.events[i].template_id);
    CHECK(ra.events[i].template_text == rb.events[i].template_text);
    CHECK(ra.events[i].template_text == ro.events[i].template_text);
    CHECK(ra.events[i].template_id != ro.events[i].template_id);
  }
  // The id hashes the source and the template's text when its cluster was created.
  for (const auto* r : {&ra, &ro}) {
    const std::string source = r == &ra ? "auth" : "web";
    for (const auto& d : r->templates) {
      if (!d.created || d.updated) continue;
      CHECK(d.template_id == util::mix64(util::fnv1a64(d.text, util::fnv1a64(source + '\x1f'))));
    }
  }
  // Same template, same id, within a run.
  CHECK(ra.events[0].template_id == ra.events[1].template_id);
  CHECK(ra.events[0].template_id == ra.events[3].template_id);
  CHECK(ra.events[0].template_id != ra.events[2].template_id);
  CHECK(a.template_count() == b.template_count());
}

TEST_CASE("deliveries group a batch by template and by entity") {
  source_pipeline p(options(), nullptr);
  const auto out = run(p, ssh_batch);
  REQUIRE(out.events.size() == 4);
  const auto t = [&](int i) { return out.events[i].time_ns; };
  CHECK(t(0) == util::to_unix_ns(2025, 3, 1, 12, 0, 0));

  REQUIRE(out.templates.size() == 2);
  const auto& failed = out.templates[0];
  CHECK(failed.template_id == out.events[0].template_id);
  CHECK(failed.source == "auth");
  CHECK(failed.text == "Failed password for <*> from <*> port <*> ssh2");
  CHECK(failed.created);
  CHECK(failed.times == std::vector<std::int64_t>{t(0), t(1), t(3)});
  CHECK(failed.example == "Failed password for root from 10.0.0.1 port 22 ssh2");
  CHECK(failed.absorbed.empty());
  const auto& accepted = out.templates[1];
  CHECK(accepted.template_id == out.events[2].template_id);
  CHECK(accepted.times == std::vector<std::int64_t>{t(2)});
  CHECK(accepted.example == "Accepted password for alice from 10.0.0.1 port 22 ssh2");

  // One delivery per entity, observations in input order, in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::uint64_t>> by_entity;
  for (const auto& d : out.entities) {
    const std::string key = std::string(model::to_string(d.entity.type)) + ":" + d.entity.value;
    order.push_back(key);
    CHECK(d.source == "auth");
    for (const auto& o : d.observations) {
      by_entity[key].push_back(o.seq);
      CHECK(o.time_ns == out.events[o.seq - 1].time_ns);
      CHECK(o.template_id == out.events[o.seq - 1].template_id);
    }
  }
  CHECK(order == std::vector<std::string>{"host:web1", "process:sshd", "user:root", "ip:10.0.0.1",
                                          "ip:10.0.0.2", "host:web2", "user:alice"});
  CHECK(by_entity["host:web1"] == std::vector<std::uint64_t>{1, 2, 4});
  CHECK(by_entity["process:sshd"] == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(by_entity["user:root"] == std::vector<std::uint64_t>{1, 2, 4});
  CHECK(by_entity["ip:10.0.0.1"] == std::vector<std::uint64_t>{1, 3, 4});
  CHECK(by_entity["ip:10.0.0.2"] == std::vector<std::uint64_t>{2});
  CHECK(by_entity["host:web2"] == std::vector<std::uint64_t>{3});
  CHECK(by_entity["user:alice"] == std::vector<std::uint64_t>{3});

  // The next batch starts its deliveries afresh; a known template is no longer "created".
  const auto again = run(p, {ssh_batch[0]});
  REQUIRE(again.templates.size() == 1);
  CHECK_FALSE(again.templates[0].created);
  CHECK(again.templates[0].template_id == failed.template_id);
  CHECK(again.templates[0].times.size() == 1);
  CHECK(again.entities.size() == 4);
  for (const auto& d : again.entities) CHECK(d.observations.size() == 1);
}

TEST_CASE("events are decorated: params, entities, logsource") {
  source_pipeline p(options(), nullptr);
  const auto out = run(p, {ssh_batch[0]});
  REQUIRE(out.events.size() == 1);
  const auto& e = out.events[0];
  CHECK(e.params == std::vector<std::string>{"root", "10.0.0.1", "22"});
  CHECK(e.ls.product == "linux");
  CHECK(e.ls.service == "sshd");
  CHECK(e.entities.size() == 4);
  CHECK(e.facility == 4);
  CHECK(e.severity == 6);
}

TEST_CASE("a record with an empty message has no template and no template delivery") {
  source_pipeline p(options(), nullptr);
  const auto out = run(p, {"<13>Mar  1 12:00:00 host app:", "<13>x"});
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].message.empty());
  CHECK(out.events[0].template_id == 0);
  CHECK(out.events[0].template_text.empty());
  REQUIRE(out.templates.size() == 1);
  CHECK(out.templates[0].template_id == out.events[1].template_id);
}

TEST_CASE("replay: year-less stamps start in first_year and roll over at New Year") {
  auto o = options();
  o.replay = true;
  o.first_year = 2015;  // not a leap year
  source_pipeline p(o, nullptr);
  const auto out = run(p, {"<13>Dec 31 18:30:00 h app: one", "<13>Dec 31 23:59:59 h app: two",
                           "<13>Jan  1 00:00:05 h app: three", "no time here",
                           "<13>Jan  1 00:00:06 h app: four", "<13>Feb 29 10:00:00 h app: leap"});
  REQUIRE(out.events.size() == 6);
  CHECK(out.events[0].time_ns == util::to_unix_ns(2015, 12, 31, 18, 30, 0));
  CHECK(out.events[0].time_from_log);
  CHECK(out.events[1].time_ns == util::to_unix_ns(2015, 12, 31, 23, 59, 59));
  CHECK(out.events[2].time_ns == util::to_unix_ns(2016, 1, 1, 0, 0, 5));
  // No timestamp: the previous record's time, marked as not from the log.
  CHECK(out.events[3].time_ns == util::to_unix_ns(2016, 1, 1, 0, 0, 5));
  CHECK_FALSE(out.events[3].time_from_log);
  CHECK(out.events[4].time_ns == util::to_unix_ns(2016, 1, 1, 0, 0, 6));
  CHECK(out.events[5].time_ns == util::to_unix_ns(2016, 2, 29, 10, 0, 0));
  // Arrival time plays no part in a replay.
  for (const auto& e : out.events) CHECK(e.time_ns != e.arrival_ns);
}

TEST_CASE("replay: the first record lands in first_year whatever its date") {
  for (int year : {2015, 2016, 2023, 2024, 2100}) {
    for (const auto& [stamp, mon, day, h, m, s] :
         std::vector<std::tuple<std::string, unsigned, unsigned, unsigned, unsigned, unsigned>>{
             {"Jan  1 00:00:00", 1, 1, 0, 0, 0},
             {"Jan  1 00:00:01", 1, 1, 0, 0, 1},
             {"Jul  2 11:59:59", 7, 2, 11, 59, 59},
             {"Jul  2 12:00:01", 7, 2, 12, 0, 1},
             {"Dec 31 11:59:59", 12, 31, 11, 59, 59},
             {"Dec 31 12:00:01", 12, 31, 12, 0, 1},
             {"Dec 31 23:59:59", 12, 31, 23, 59, 59}}) {
      INFO(year << " " << stamp);
      auto o = options();
      o.replay = true;
      o.first_year = year;
      source_pipeline p(o, nullptr);
      const auto out = run(p, {"<13>" + stamp + " h app: x"});
      REQUIRE(out.events.size() == 1);
      CHECK(out.events[0].time_ns == util::to_unix_ns(year, mon, day, h, m, s));
    }
  }
}

TEST_CASE("replay: first_year applies in the decoder's zone") {
  auto o = options();
  o.replay = true;
  o.first_year = 2015;
  o.decode.time.utc_offset_s = 14 * 3600;  // UTC+14: the local year starts 14 hours early
  for (const auto& [stamp, expect] : std::vector<std::pair<std::string, std::int64_t>>{
           {"Jan  1 00:00:00", util::to_unix_ns(2014, 12, 31, 10, 0, 0)},
           {"Dec 31 23:59:59", util::to_unix_ns(2015, 12, 31, 9, 59, 59)}}) {
    INFO(stamp);
    source_pipeline p(o, nullptr);
    const auto out = run(p, {"<13>" + stamp + " h app: x"});
    REQUIRE(out.events.size() == 1);
    CHECK(out.events[0].time_ns == expect);
  }
}

TEST_CASE("replay without first_year reads the first stamp near arrival time") {
  auto o = options();
  o.replay = true;
  source_pipeline p(o, nullptr);
  const auto out = run(p, {"no time yet", "<13>Feb 20 08:00:00 h app: x", "still no time"});
  REQUIRE(out.events.size() == 3);
  CHECK(out.events[0].time_ns == out.events[0].arrival_ns);  // nothing better known yet
  CHECK_FALSE(out.events[0].time_from_log);
  CHECK(out.events[1].time_ns == util::to_unix_ns(2025, 2, 20, 8, 0, 0));
  CHECK(out.events[2].time_ns == util::to_unix_ns(2025, 2, 20, 8, 0, 0));
}

TEST_CASE("live mode: a record without a time takes its arrival time") {
  source_pipeline p(options(), nullptr);
  const auto out = run(p, {"<13>Feb 20 08:00:00 h app: x", "no time"});
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].time_ns == util::to_unix_ns(2025, 2, 20, 8, 0, 0));
  CHECK(out.events[1].time_ns == out.events[1].arrival_ns);
  CHECK_FALSE(out.events[1].time_from_log);
}

TEST_CASE("continue_after moves numbering forward, never back") {
  source_pipeline p(options(), nullptr);
  p.continue_after(100);
  CHECK(p.last_seq() == 100);
  auto out = run(p, {"<13>a", "<999>b"});
  CHECK(seqs(out) == std::vector<std::uint64_t>{101});
  CHECK(out.rejected[0].after_seq == 101);
  p.continue_after(50);
  CHECK(p.last_seq() == 101);
  out = run(p, {"<13>c"});
  CHECK(seqs(out) == std::vector<std::uint64_t>{102});
}

TEST_CASE("formats raw and jsonl go through their decoders") {
  source_pipeline p(options("app"), nullptr);
  const auto raw = run(p,
                       {"2025-03-01T12:00:00.250Z ERROR payment failed for order 17",
                        "<13>not syslog here: the whole line is the message", ""},
                       model::input_format::raw);
  REQUIRE(raw.events.size() == 2);
  CHECK(raw.events[0].message == "2025-03-01T12:00:00.250Z ERROR payment failed for order 17");
  CHECK(raw.events[0].time_ns == util::to_unix_ns(2025, 3, 1, 12, 0, 0, 250'000'000));
  CHECK(raw.events[0].time_from_log);
  CHECK(raw.events[0].severity == 3);
  CHECK(raw.events[0].facility == model::unknown_code);
  CHECK(raw.events[1].message == "<13>not syslog here: the whole line is the message");
  REQUIRE(raw.rejected.size() == 1);
  CHECK(raw.rejected[0].reason == "empty");
  CHECK(raw.rejected[0].after_seq == 2);

  const auto json = run(p,
                        {R"({"message":"user login","host":"h1","level":"warn",)"
                         R"("time":"2025-03-01T12:00:01Z","user":"alice"})",
                         R"({"message": "unterminated)", R"([1,2])", R"({"msg":"second"})"},
                        model::input_format::jsonl);
  REQUIRE(json.events.size() == 2);
  CHECK(json.events[0].seq == 3);
  CHECK(json.events[0].message == "user login");
  CHECK(json.events[0].host == "h1");
  CHECK(json.events[0].severity == 4);
  CHECK(json.events[0].time_ns == util::to_unix_ns(2025, 3, 1, 12, 0, 1));
  CHECK(json.events[0].fields == std::vector<model::field>{{"user", "alice"}});
  CHECK(json.events[1].seq == 4);
  CHECK(json.events[1].message == "second");
  REQUIRE(json.rejected.size() == 2);
  CHECK(json.rejected[0].reason == "bad_json");
  CHECK(json.rejected[0].after_seq == 3);
  CHECK(json.rejected[1].reason == "not_object");
  CHECK(json.rejected[1].after_seq == 3);
  // Entities come from JSON fields too.
  bool alice = false;
  for (const auto& e : json.events[0].entities) alice |= e.value == "alice";
  CHECK(alice);
}

TEST_CASE("metrics: events, repairs, missing headers and times are counted") {
  metrics::registry reg;
  source_pipeline p(options("s1"), &reg);
  run(p, {"<13>Mar  1 12:00:00 h app: ok", "caf\xE9 plain line", "<13>no time", "<999>x"});
  const metrics::labels l{{"source", "s1"}};
  CHECK(reg.get_counter("source_events", l).value() == 3);
  CHECK(reg.get_counter("source_utf8_repaired", l).value() == 1);
  CHECK(reg.get_counter("source_header_missing", l).value() == 1);
  CHECK(reg.get_counter("source_time_missing", l).value() == 2);
  CHECK(reg.total("records_rejected") == 1);
}

TEST_CASE("randomized: every record becomes an event or a rejection with a reason") {
  source_pipeline p(options(), nullptr);
  std::mt19937_64 rng(99);
  const std::vector<std::string> seeds = {
      ssh_batch[0], "<165>1 2003-10-11T22:14:15.003Z host app 1 ID47 [ex@1 a=\"b\"] msg",
      "<13>Oct 11 22:14:15 host app[1]: text", R"({"message":"m","level":"info"})",
      "2025-03-01 12:00:00,123 INFO x"};
  std::uint64_t expected_seq = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> records;
    for (int i = 0; i < 20; ++i) {
      std::string r;
      if (rng() % 4 == 0) {
        r.resize(rng() % 64);
        for (auto& c : r) c = static_cast<char>(rng());
      } else {
        r = seeds[rng() % seeds.size()];
        for (int k = 0, n = static_cast<int>(rng() % 4); k < n && !r.empty(); ++k) {
          switch (rng() % 3) {
            case 0:
              r[rng() % r.size()] = static_cast<char>(rng());
              break;
            case 1:
              r.erase(rng() % r.size(), 1 + rng() % 5);
              break;
            default:
              r.insert(rng() % (r.size() + 1), 1, static_cast<char>(rng()));
              break;
          }
        }
      }
      records.push_back(std::move(r));
    }
    const auto format = static_cast<model::input_format>(rng() % 3);
    const auto out = run(p, records, format);
    REQUIRE(out.events.size() + out.rejected.size() == records.size());
    for (const auto& e : out.events) REQUIRE(e.seq == ++expected_seq);
    for (const auto& r : out.rejected) {
      REQUIRE_FALSE(r.reason.empty());
      REQUIRE_FALSE(r.detail.empty());
      REQUIRE(r.after_seq <= expected_seq);
      REQUIRE(r.data.size() <= 4096);
    }
    std::size_t observed = 0;
    for (const auto& d : out.templates) observed += d.times.size();
    std::size_t with_template = 0;
    for (const auto& e : out.events) with_template += e.template_id != 0;
    REQUIRE(observed == with_template);
  }
  CHECK(p.last_seq() == expected_seq);
}

TEST_CASE("snapshot and restore continue exactly like the original (OpenSSH log)") {
  const auto lines = test::loghub_lines("OpenSSH");
  REQUIRE(lines.size() == 2000);
  auto o = options("openssh");
  o.replay = true;
  o.first_year = 2025;
  const std::size_t batch = 100;
  auto feed = [&](source_pipeline& p, std::size_t from, std::size_t to) {
    std::vector<pipeline_output> outs;
    for (std::size_t i = from; i < to; i += batch) {
      const std::vector<std::string> part(
          lines.begin() + static_cast<std::ptrdiff_t>(i),
          lines.begin() + static_cast<std::ptrdiff_t>(std::min(to, i + batch)));
      outs.push_back(run(p, part));
    }
    return outs;
  };
  source_pipeline original(o, nullptr);
  feed(original, 0, 1000);
  source_pipeline first_half(o, nullptr);
  feed(first_half, 0, 1000);
  const std::string snap = first_half.snapshot();
  const auto rest_original = feed(original, 1000, 2000);

  source_pipeline restored(o, nullptr);
  REQUIRE(restored.restore(snap));
  CHECK(restored.last_seq() == first_half.last_seq());
  CHECK(restored.template_count() == first_half.template_count());
  const auto rest_restored = feed(restored, 1000, 2000);

  REQUIRE(rest_original.size() == rest_restored.size());
  std::size_t events = 0, differences = 0;
  for (std::size_t b = 0; b < rest_original.size(); ++b) {
    const auto& x = rest_original[b];
    const auto& y = rest_restored[b];
    REQUIRE(x.events.size() == y.events.size());
    for (std::size_t i = 0; i < x.events.size(); ++i) {
      const auto& e = x.events[i];
      const auto& f = y.events[i];
      ++events;
      if (e.seq != f.seq || e.time_ns != f.time_ns || e.template_id != f.template_id ||
          e.template_text != f.template_text || e.params != f.params || e.entities != f.entities ||
          !(e.ls == f.ls))
        ++differences;
    }
    REQUIRE(x.templates.size() == y.templates.size());
    for (std::size_t i = 0; i < x.templates.size(); ++i) {
      CHECK(x.templates[i].template_id == y.templates[i].template_id);
      CHECK(x.templates[i].text == y.templates[i].text);
      CHECK(x.templates[i].created == y.templates[i].created);
      CHECK(x.templates[i].updated == y.templates[i].updated);
      CHECK(x.templates[i].absorbed == y.templates[i].absorbed);
      CHECK(x.templates[i].times == y.templates[i].times);
    }
    REQUIRE(x.entities.size() == y.entities.size());
    for (std::size_t i = 0; i < x.entities.size(); ++i) {
      CHECK(x.entities[i].entity == y.entities[i].entity);
      CHECK(x.entities[i].observations.size() == y.entities[i].observations.size());
    }
  }
  CHECK(events == 1000);
  CHECK(differences == 0);
  CHECK(rest_restored.back().events.back().seq == 2000);
  CHECK(restored.template_count() == original.template_count());
  // Times kept rolling from the restored last time (the log is all Dec 10 .. 11, 2025).
  CHECK(rest_restored.front().events.front().time_ns >= util::to_unix_ns(2025, 12, 10, 0, 0, 0));
}

TEST_CASE("restore refuses damaged snapshots and leaves the pipeline as it was") {
  source_pipeline p(options(), nullptr);
  run(p, ssh_batch);
  const std::string snap = p.snapshot();
  source_pipeline q(options(), nullptr);
  run(q, {"<13>x"});
  CHECK_FALSE(q.restore(""));
  CHECK_FALSE(q.restore(snap.substr(0, snap.size() - 1)));
  CHECK_FALSE(q.restore(snap + "z"));
  std::string v = snap;
  v[0] = 7;
  CHECK_FALSE(q.restore(v));
  CHECK(q.last_seq() == 1);
  CHECK(q.template_count() == 1);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 500; ++i) {
    std::string bad = snap;
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    source_pipeline r(options(), nullptr);
    if (r.restore(bad)) run(r, ssh_batch);  // whatever it restored must keep working
  }
  REQUIRE(q.restore(snap));
  CHECK(q.last_seq() == 4);
  const auto out = run(q, {ssh_batch[0]});
  CHECK(seqs(out) == std::vector<std::uint64_t>{5});
  CHECK_FALSE(out.templates[0].created);
}

TEST_CASE("prepared events from structured receivers are numbered, mined and enriched",
          "[parse][pipeline][prepared]") {
  source_pipeline p(options("otel"), nullptr);
  model::raw_batch b;
  b.format = model::input_format::prepared;
  model::event timed;
  timed.message = "Failed password for root from 203.0.113.9 port 4242 ssh2";
  timed.time_ns = arrival - 5'000'000'000;
  timed.time_from_log = true;
  timed.host = "web-prod-01";
  timed.app = "sshd";
  timed.severity = 4;
  timed.arrival_ns = arrival;
  timed.peer = "otlp-grpc:127.0.0.1:5000";
  timed.fields = {{"resource.service.name", "auth"}, {"trace_id", "0102"}};
  timed.seq = 77;  // ignored: the pipeline numbers
  b.prepared.push_back(timed);
  model::event untimed;
  untimed.message = std::string("bad \xff byte");
  untimed.arrival_ns = arrival + 1;
  b.prepared.push_back(untimed);
  model::event huge;
  huge.message.assign(70'000, 'x');
  huge.arrival_ns = arrival + 2;
  b.prepared.push_back(huge);
  model::event last;
  last.message = "Accepted password for root from 203.0.113.9 port 4243 ssh2";
  last.arrival_ns = arrival + 3;
  b.prepared.push_back(last);

  pipeline_output out;
  p.process(b, out);
  REQUIRE(out.events.size() == 3);
  REQUIRE(out.rejected.size() == 1);
  CHECK(out.rejected[0].reason == "oversized");
  CHECK(out.rejected[0].after_seq == 2);
  CHECK(seqs(out) == std::vector<std::uint64_t>{1, 2, 3});
  const auto& e = out.events[0];
  CHECK(e.source == "otel");
  CHECK(e.time_ns == arrival - 5'000'000'000);
  CHECK(e.time_from_log);
  CHECK(e.host == "web-prod-01");
  CHECK(e.fields.size() == 2);
  CHECK(e.template_id != 0);
  CHECK_FALSE(e.entities.empty());
  CHECK(e.ls.service == "sshd");
  // No time: the arrival time stands in, and the message is repaired, not rejected.
  CHECK(out.events[1].time_ns == arrival + 1);
  CHECK_FALSE(out.events[1].time_from_log);
  CHECK(out.events[1].message == "bad \xEF\xBF\xBD byte");
}
