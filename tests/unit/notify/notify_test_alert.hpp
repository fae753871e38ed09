#pragma once
// A Sigma alert as the pipeline raises it for an SSH brute force, shared by the notify tests.
#include "runtime/model/alert.hpp"

namespace seerflow::notify::test {

inline model::alert sample_alert() {
  model::alert a;
  a.id = "sigma-27fa6bb35eb9cd9e";
  a.kind = "sigma";
  a.severity = "high";
  a.rule = "315566d8-ebce-480d-b388-c067a5941843";
  a.title = "SSH Repeated Authentication Failures In One Connection";
  a.source = "syslog";
  a.time_ns = 1765350836000000000;  // 2025-12-10T07:13:56Z
  a.last_time_ns = a.time_ns;
  a.event_seqs = {32};
  a.entities = {{model::entity_type::host, "web-prod-01", {}},
                {model::entity_type::user, "root", {}},
                {model::entity_type::ip, "203.0.113.9", {}}};
  a.details_json = R"({"level":"high","message":"PAM 5 more authentication failures"})";
  a.tactics = {"credential-access"};
  a.techniques = {"T1110.001"};
  return a;
}

}  // namespace seerflow::notify::test
