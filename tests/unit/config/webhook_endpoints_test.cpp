// receivers.webhooks.endpoints: the list of endpoint mappings, with every structural error
// reported at its position and the good configuration read field by field.
#include <catch2/catch.hpp>

#include "runtime/config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::error_lines;
using seerflow::config::test::load;

TEST_CASE("webhook endpoints are read with their auth and mapping") {
  const auto r = load(R"(receivers:
  webhooks:
    enabled: true
    port: 0
    endpoints:
      - path: /hooks/github
        auth: hmac
        secret: s3
        message: "{action} by {sender.login}"
        user: sender.login
        fields: {repo: repository.full_name, ref: ref}
        flatten: false
      - path: /hooks/k8s
        source: kube
        auth: bearer
        token: t0k
        records: items
        severity: type
)");
  REQUIRE(error_lines(r).empty());
  const auto& w = r.value.receivers.webhooks;
  CHECK(w.enabled);
  CHECK(w.port == 0);
  REQUIRE(w.endpoints.size() == 2);
  const auto& gh = w.endpoints[0];
  CHECK(gh.path == "/hooks/github");
  CHECK(gh.auth == "hmac");
  CHECK(gh.secret == "s3");
  CHECK(gh.signature_header == "X-Hub-Signature-256");
  CHECK(gh.message == "{action} by {sender.login}");
  CHECK(gh.user == "sender.login");
  CHECK_FALSE(gh.flatten);
  CHECK(gh.fields == std::vector<std::pair<std::string, std::string>>{
                         {"repo", "repository.full_name"}, {"ref", "ref"}});
  CHECK(gh.where.line == 6);
  const auto& k8s = w.endpoints[1];
  CHECK(k8s.source == "kube");
  CHECK(k8s.token == "t0k");
  CHECK(k8s.records == "items");
  CHECK(k8s.severity == "type");
  CHECK(k8s.flatten);
}

TEST_CASE("webhook endpoint errors name the item and the key") {
  const auto r = load(R"(receivers:
  webhooks:
    endpoints:
      - path: /a
        auth: bearer
      - path: /a
        auth: magic
      - path: relative
        mesage: x
      - auth: hmac
        secret: s
      - not a mapping
      - path: /b
        fields: [a, b]
)");
  const auto errs = error_lines(r);
  std::string all;
  for (const auto& e : errs) all += e + "\n";
  INFO(all);
  CHECK(all.find("endpoints[0].token: auth bearer needs a non-empty token") != std::string::npos);
  CHECK(all.find("endpoints[1].path: path '/a' is used by two endpoints") != std::string::npos);
  CHECK(all.find("endpoints[1].auth: expected one of none|bearer|hmac") != std::string::npos);
  CHECK(all.find("endpoints[2].path: expected a URL path starting with '/'") != std::string::npos);
  CHECK(all.find("endpoints[2].mesage: unknown key; did you mean 'message'?") != std::string::npos);
  CHECK(all.find("endpoints[3]: missing required key 'path'") != std::string::npos);
  CHECK(all.find("endpoints[4]: expected an endpoint") != std::string::npos);
  CHECK(all.find("endpoints[5].fields: expected a mapping") != std::string::npos);
  CHECK(r.value.receivers.webhooks.endpoints.empty());
}

TEST_CASE("webhook endpoints must be a list") {
  const auto r = load("receivers:\n  webhooks:\n    endpoints: /hooks/x\n");
  REQUIRE(error_lines(r).size() == 1);
  CHECK(error_lines(r)[0].find("expected a list of endpoints") != std::string::npos);
}
