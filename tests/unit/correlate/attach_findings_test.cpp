// Alerts become findings on the entity deliveries of their batch: one per entity of a tracked
// type, added to the entity's existing delivery, so still one message per entity per batch.
#include <catch2/catch.hpp>

#include "runtime/correlate/attach_findings.hpp"

using namespace seerflow;

namespace {
model::entity_ref ent(model::entity_type t, const std::string& v, std::uint8_t id) {
  model::entity_ref e;
  e.type = t;
  e.value = v;
  e.id[0] = id;
  return e;
}

const auto host = ent(model::entity_type::host, "web-prod-01", 1);
const auto ip = ent(model::entity_type::ip, "203.0.113.45", 2);
const auto proc = ent(model::entity_type::process, "sshd", 3);
const auto user = ent(model::entity_type::user, "deploy", 4);

model::alert alert(const std::string& kind, std::vector<model::entity_ref> es) {
  model::alert a;
  a.id = kind + "-1";
  a.kind = kind;
  a.severity = "high";
  a.rule = "r";
  a.title = "t";
  a.time_ns = 42;
  a.tactics = {"execution"};
  a.event_seqs = {7};
  a.entities = std::move(es);
  return a;
}

correlate::entity_type_mask default_types() {
  correlate::entity_type_mask m{};
  for (auto t : {model::entity_type::ip, model::entity_type::user, model::entity_type::host,
                 model::entity_type::domain})
    m[static_cast<std::size_t>(t)] = true;
  return m;
}
}  // namespace

TEST_CASE("an alert's entities each get its finding, on their existing delivery") {
  std::vector<model::entity_delivery> ds(1);
  ds[0].entity = host;
  ds[0].observations.push_back({42, 7, 9});
  const auto n = correlate::attach_findings({alert("sigma", {host, proc, ip, host})},
                                            default_types(), "src", ds);
  CHECK(n == 2);  // host once (named twice), ip; the process type is not tracked
  REQUIRE(ds.size() == 2);
  REQUIRE(ds[0].findings.size() == 1);
  CHECK(ds[0].findings[0].alert_id == "sigma-1");
  CHECK(ds[0].findings[0].kind == "sigma");
  CHECK(ds[0].findings[0].severity == "high");
  CHECK(ds[0].findings[0].time_ns == 42);
  CHECK(ds[0].findings[0].tactics == std::vector<std::string>{"execution"});
  CHECK(ds[0].findings[0].event_seqs == std::vector<std::uint64_t>{7});
  CHECK(ds[1].entity == ip);
  CHECK(ds[1].source == "src");
  CHECK(ds[1].observations.empty());
  CHECK(ds[1].findings.size() == 1);
}

TEST_CASE("several alerts about one entity share its one delivery") {
  std::vector<model::entity_delivery> ds;
  correlate::attach_findings(
      {alert("sigma", {user}), alert("correlation", {user, ip}), alert("anomaly", {user})},
      default_types(), "src", ds);
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].entity == user);
  CHECK(ds[0].findings.size() == 3);
  CHECK(ds[1].findings.size() == 1);
}

TEST_CASE("risk, kill-chain and entity-less alerts make no findings") {
  std::vector<model::entity_delivery> ds;
  CHECK(correlate::attach_findings(
            {alert("risk", {host}), alert("kill_chain", {host}), alert("sigma", {})},
            default_types(), "src", ds) == 0);
  CHECK(ds.empty());
  CHECK(correlate::is_finding_kind("graph"));
  CHECK_FALSE(correlate::is_finding_kind("risk"));
}

TEST_CASE("no tracked types, no findings") {
  std::vector<model::entity_delivery> ds;
  CHECK(correlate::attach_findings({alert("sigma", {host, ip})}, correlate::entity_type_mask{},
                                   "src", ds) == 0);
  CHECK(ds.empty());
}
