// The kill chain: distinct ATT&CK tactics of one entity inside the window, reported in
// kill-chain order once the set reaches the minimum, and again only when it grows.
#include <catch2/catch.hpp>

#include "runtime/correlate/kill_chain.hpp"
#include "runtime/correlate/tactic_order.hpp"

using namespace seerflow;
using correlate::kill_chain;

namespace {
constexpr std::int64_t minute = 60LL * 1'000'000'000;
constexpr std::int64_t day = 24 * 60 * minute;
constexpr std::int64_t t0 = 1'700'000'000LL * 1'000'000'000;

model::finding f(const std::string& id, std::int64_t t, std::vector<std::string> tactics) {
  model::finding x;
  x.alert_id = id;
  x.kind = "sigma";
  x.rule = "rule-" + id;
  x.title = "title " + id;
  x.time_ns = t;
  x.tactics = std::move(tactics);
  return x;
}

std::vector<std::string> tactics_of(const correlate::kill_chain_report& r) {
  std::vector<std::string> out;
  for (const auto& s : r.stages) out.push_back(s.tactic);
  return out;
}

// The horizon as the entity correlator computes it: newest time minus the window.
std::int64_t horizon(std::int64_t newest) {
  return newest - day;
}
}  // namespace

TEST_CASE("tactics rank in ATT&CK enterprise kill-chain order") {
  CHECK(correlate::tactic_rank("reconnaissance") < correlate::tactic_rank("initial-access"));
  CHECK(correlate::tactic_rank("initial-access") < correlate::tactic_rank("execution"));
  CHECK(correlate::tactic_rank("persistence") < correlate::tactic_rank("privilege-escalation"));
  CHECK(correlate::tactic_rank("privilege-escalation") <
        correlate::tactic_rank("credential-access"));
  CHECK(correlate::tactic_rank("credential-access") < correlate::tactic_rank("lateral-movement"));
  CHECK(correlate::tactic_rank("command-and-control") < correlate::tactic_rank("exfiltration"));
  CHECK(correlate::tactic_rank("exfiltration") < correlate::tactic_rank("impact"));
  CHECK(correlate::tactic_rank("stealth") == correlate::tactic_rank("defense-evasion"));
  CHECK(correlate::tactic_rank("made-up") > correlate::tactic_rank("impact"));
}

TEST_CASE("three distinct tactics raise one report in kill-chain order with evidence") {
  kill_chain kc(3, 4);
  CHECK_FALSE(kc.observe(f("a", t0, {"credential-access"}), horizon(t0)));
  CHECK_FALSE(kc.observe(f("b", t0 + minute, {"credential-access"}), horizon(t0 + minute)));
  CHECK_FALSE(kc.observe(f("c", t0 + 2 * minute, {"initial-access"}), horizon(t0 + 2 * minute)));
  auto r = kc.observe(f("d", t0 + 3 * minute, {"command-and-control"}), horizon(t0 + 3 * minute));
  REQUIRE(r);
  CHECK(tactics_of(*r) ==
        std::vector<std::string>{"initial-access", "credential-access", "command-and-control"});
  CHECK(r->time_ns == t0 + 3 * minute);
  REQUIRE(r->stages[1].evidence.size() == 2);
  CHECK(r->stages[1].evidence[0].alert_id == "a");
  CHECK(r->stages[1].evidence[1].alert_id == "b");
  CHECK(r->stages[1].evidence[1].rule == "rule-b");
  CHECK(r->stages[1].evidence[1].time_ns == t0 + minute);
  // More findings of tactics already reported raise nothing.
  CHECK_FALSE(kc.observe(f("e", t0 + 4 * minute, {"initial-access", "credential-access"}),
                         horizon(t0 + 4 * minute)));
  CHECK(kc.reported().size() == 3);
}

TEST_CASE("one rule tagged with three tactics is one step, not a chain") {
  kill_chain kc(3, 4);
  auto shell = f("shell", t0, {"persistence", "execution", "command-and-control"});
  CHECK_FALSE(kc.observe(shell, horizon(t0)));
  shell.alert_id = "shell-again";
  CHECK_FALSE(kc.observe(shell, horizon(t0)));  // the same rule again: still one step
  auto r = kc.observe(f("login", t0 + 1, {"initial-access"}), horizon(t0 + 1));
  REQUIRE(r);
  CHECK(r->stages.size() == 4);
}

TEST_CASE("the report is raised again only when the tactic set grows") {
  kill_chain kc(3, 4);
  kc.observe(f("a", t0, {"credential-access", "initial-access"}), horizon(t0));
  REQUIRE(kc.observe(f("b", t0, {"persistence"}), horizon(t0)));
  CHECK_FALSE(kc.observe(f("c", t0 + 1, {"persistence"}), horizon(t0 + 1)));
  auto grown = kc.observe(f("d", t0 + 2, {"privilege-escalation", "persistence"}), horizon(t0 + 2));
  REQUIRE(grown);
  CHECK(grown->stages.size() == 4);
  CHECK_FALSE(kc.observe(f("e", t0 + 3, {"privilege-escalation"}), horizon(t0 + 3)));
}

TEST_CASE("tactics leave the window in event time; their return is growth again") {
  kill_chain kc(3, 4);
  kc.observe(f("a", t0, {"credential-access"}), horizon(t0));
  kc.observe(f("b", t0 + minute, {"initial-access"}), horizon(t0 + minute));
  // A day and more later the first two are out of the window: only one tactic is in it.
  const auto later = t0 + day + 2 * minute;
  CHECK_FALSE(kc.observe(f("c", later, {"persistence"}), horizon(later)));
  CHECK(kc.stages(horizon(later)).size() == 1);
  CHECK_FALSE(kc.observe(f("d", later, {"execution"}), horizon(later)));
  auto r = kc.observe(f("e", later, {"credential-access"}), horizon(later));
  REQUIRE(r);
  CHECK(tactics_of(*r) ==
        std::vector<std::string>{"execution", "persistence", "credential-access"});
  // ...and once reported tactics have left the window, reaching three again is a new report.
  const auto much_later = later + 2 * day;
  kc.observe(f("f", much_later, {"execution"}), horizon(much_later));
  kc.observe(f("g", much_later, {"persistence"}), horizon(much_later));
  CHECK(kc.observe(f("h", much_later, {"credential-access"}), horizon(much_later)));
}

TEST_CASE("a finding older than the window adds no tactic") {
  kill_chain kc(3, 4);
  kc.observe(f("a", t0 + 2 * day, {"execution"}), horizon(t0 + 2 * day));
  bool in_window = true;
  CHECK_FALSE(kc.observe(f("old", t0, {"persistence"}), horizon(t0 + 2 * day), &in_window));
  CHECK_FALSE(in_window);
  CHECK(kc.stages(horizon(t0 + 2 * day)).size() == 1);
  // A late one still inside the window does count.
  kc.observe(f("late", t0 + day + minute, {"persistence"}), horizon(t0 + 2 * day), &in_window);
  CHECK(in_window);
  CHECK(kc.stages(horizon(t0 + 2 * day)).size() == 2);
}

TEST_CASE("evidence per tactic is bounded to the newest, sorted by time") {
  kill_chain kc(3, 2);
  kc.observe(f("3", t0 + 3, {"execution"}), horizon(t0 + 3));
  kc.observe(f("1", t0 + 1, {"execution"}), horizon(t0 + 3));
  kc.observe(f("2", t0 + 2, {"execution"}), horizon(t0 + 3));
  kc.observe(f("3", t0 + 3, {"execution"}), horizon(t0 + 3));  // the same evidence again
  const auto st = kc.stages(horizon(t0 + 3));
  REQUIRE(st.size() == 1);
  REQUIRE(st[0].evidence.size() == 2);
  CHECK(st[0].evidence[0].alert_id == "2");
  CHECK(st[0].evidence[1].alert_id == "3");
}

TEST_CASE("hostile findings: empty and endless tactic names are bounded") {
  kill_chain kc(3, 4);
  for (int i = 0; i < 100; ++i)
    kc.observe(f(std::to_string(i), t0, {"", "tactic-" + std::to_string(i)}), horizon(t0));
  CHECK(kc.stages(horizon(t0)).size() == kill_chain::max_tactics);
}

TEST_CASE("kill-chain state survives a snapshot round trip; damaged bytes are refused") {
  kill_chain kc(3, 4);
  kc.observe(f("a", t0, {"credential-access"}), horizon(t0));
  kc.observe(f("b", t0, {"initial-access"}), horizon(t0));
  REQUIRE(kc.observe(f("c", t0, {"execution"}), horizon(t0)));
  util::byte_writer w;
  kc.write(w);
  const auto bytes = w.take();
  kill_chain back(3, 4);
  util::byte_reader r(bytes);
  REQUIRE(back.read(r));
  CHECK(r.at_end());
  CHECK(back.reported() == kc.reported());
  CHECK(back.stages(horizon(t0)).size() == 3);
  // Restored, it remembers what it reported: no second report for the same set.
  CHECK_FALSE(back.observe(f("d", t0 + 1, {"execution"}), horizon(t0 + 1)));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    kill_chain cut(3, 4);
    util::byte_reader rc(std::string_view(bytes).substr(0, n));
    CHECK_FALSE((cut.read(rc) && rc.at_end()));
  }
}
