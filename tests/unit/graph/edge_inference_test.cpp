#include <catch2/catch.hpp>

#include "runtime/graph/edge_inference.hpp"
#include "tests/unit/graph/graph_fixtures.hpp"

using namespace seerflow;
using namespace seerflow::graph;
using graph::test::ent;
using T = model::entity_type;
using E = model::edge_type;

namespace {

model::event event(std::string app, std::string message, std::vector<model::entity_ref> ents,
                   std::int64_t t = 100) {
  model::event ev;
  ev.app = std::move(app);
  ev.message = std::move(message);
  ev.entities = std::move(ents);
  ev.time_ns = t;
  return ev;
}

bool has(const std::vector<model::edge_observation>& v, const std::string& from, E type,
         const std::string& to, std::uint64_t count = 0) {
  for (const auto& o : v)
    if (o.from.value == from && o.to.value == to && o.type == type)
      return count == 0 || o.count == count;
  return false;
}

}  // namespace

TEST_CASE("edge inference: an accepted login relates user, address and host") {
  edge_inference inf;
  const auto host = ent(T::host, "labsz"), sshd = ent(T::process, "sshd"),
             user = ent(T::user, "fztu"), ip = ent(T::ip, "119.137.62.142");
  inf.add(event("sshd", "Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
                {host, sshd, user, ip}, 100));
  inf.add(event("sshd", "Accepted password for fztu from 119.137.62.142 port 49117 ssh2",
                {host, sshd, user, ip}, 50));
  inf.add(event("sshd", "Failed password for fztu from 119.137.62.142 port 1 ssh2",
                {host, sshd, user, ip}, 60));
  inf.add(event("sshd", "Invalid user admin from 1.2.3.4",
                {host, sshd, ent(T::user, "admin"), ent(T::ip, "1.2.3.4")}));
  std::vector<model::edge_observation> out;
  inf.take(out);
  REQUIRE(out.size() == 2);
  CHECK(has(out, "fztu", E::authenticated_from, "119.137.62.142", 2));
  CHECK(has(out, "fztu", E::logged_into, "labsz", 2));
  CHECK(out[0].first_ns == 50);
  CHECK(out[0].last_ns == 100);
  CHECK(inf.empty());
  inf.take(out);
  CHECK(out.empty());
}

TEST_CASE("edge inference: files, resolutions, address bindings and spawned processes") {
  edge_inference inf;
  inf.add(event("sudo", "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
                {ent(T::host, "web"), ent(T::process, "sudo"), ent(T::user, "alice"),
                 ent(T::user, "root"), ent(T::file, "/bin/ls"), ent(T::process, "ls")}));
  inf.add(event(
      "dnsmasq", "reply evil.example is 198.51.100.7",
      {ent(T::process, "dnsmasq"), ent(T::domain, "evil.example"), ent(T::ip, "198.51.100.7")}));
  inf.add(event("dhcpd", "DHCPACK on 10.0.0.5 to 00:11:22:33:44:55 (laptop-7) via eth0",
                {ent(T::process, "dhcpd"), ent(T::ip, "10.0.0.5"), ent(T::host, "laptop-7")}));
  inf.add(event("nginx", "GET /index.html from 10.0.0.9 for example.com",
                {ent(T::process, "nginx"), ent(T::domain, "example.com"), ent(T::ip, "10.0.0.9")}));
  std::vector<model::edge_observation> out;
  inf.take(out);
  CHECK(has(out, "alice", E::accessed, "/bin/ls"));
  CHECK(has(out, "root", E::accessed, "/bin/ls"));
  CHECK(has(out, "ls", E::spawned_by, "sudo"));
  CHECK(has(out, "evil.example", E::resolved_to, "198.51.100.7"));
  CHECK(has(out, "laptop-7", E::has_ip, "10.0.0.5"));
  // A web request naming a domain and a client is no resolution.
  CHECK_FALSE(has(out, "example.com", E::resolved_to, "10.0.0.9"));
  // sudo reports a command, not a login.
  CHECK_FALSE(has(out, "alice", E::logged_into, "web"));
}

TEST_CASE("edge inference: lines naming many entities are capped and counted") {
  edge_inference inf(4);
  std::vector<model::entity_ref> ents{ent(T::user, "alice")};
  for (int i = 0; i < 32; ++i) ents.push_back(ent(T::file, "/f" + std::to_string(i)));
  inf.add(event("auditd", "many files", ents));
  inf.add(event("x", "", {}));                              // nothing
  inf.add(event("x", "accepted", {ent(T::user, "solo")}));  // one entity: no relation
  std::vector<model::edge_observation> out;
  inf.take(out);
  CHECK(out.size() == 4);
  CHECK(inf.stats().capped_events == 1);
  CHECK(inf.stats().events == 3);
}

TEST_CASE("edge inference: binary and oversized messages are handled") {
  edge_inference inf;
  std::string binary(5000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 37);
  binary += "Accepted";
  inf.add(event("sshd", binary, {ent(T::user, "u"), ent(T::ip, "1.1.1.1")}));
  inf.add(event("sshd", std::string(1 << 20, 'A'), {ent(T::user, "u"), ent(T::file, "/x")}));
  std::vector<model::edge_observation> out;
  inf.take(out);
  CHECK(has(out, "u", E::accessed, "/x"));
  // The binary line has no "accepted " (no trailing space): no authentication.
  CHECK_FALSE(has(out, "u", E::authenticated_from, "1.1.1.1"));
}
