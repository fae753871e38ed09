// A webhook endpoint as the HTTP server calls it: bearer and HMAC auth, JSON and form bodies,
// content types, and backpressure answered with 429.
#include <catch2/catch.hpp>

#include "runtime/metrics/registry.hpp"
#include "runtime/util/hmac_sha256.hpp"
#include "runtime/webhook/webhook_body.hpp"
#include "runtime/webhook/webhook_endpoint.hpp"
#include "tests/unit/net/net_test_support.hpp"

using namespace seerflow;
using namespace seerflow::webhook;
namespace http = seerflow::net::http;

namespace {

struct fixture {
  explicit fixture(auth_spec auth, std::size_t credits = 64, bool hold = false)
      : sink(std::make_shared<test::test_sink>(credits, hold)) {
    mapping_spec s;
    s.message = "msg";
    std::string err;
    auto m = webhook_mapper::compile(s, "hook", {}, err);
    REQUIRE(m);
    ep = std::make_unique<webhook_endpoint>("/h", std::move(auth), std::move(*m), sink, counters);
  }
  http::response post(std::string body, std::vector<std::pair<std::string, std::string>> headers = {
                                            {"content-type", "application/json"}}) {
    http::request r;
    r.method = "POST";
    r.path = "/h";
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.peer = "127.0.0.1:9";
    return ep->handle_now(r);
  }
  std::uint64_t rejected(std::string_view reason) {
    return counters.records_rejected().value(reason);
  }

  metrics::registry reg;
  net::receiver_counters counters{reg, "webhooks"};
  std::shared_ptr<test::test_sink> sink;
  std::unique_ptr<webhook_endpoint> ep;
};

}  // namespace

TEST_CASE("webhook endpoint without auth accepts JSON and hands over a prepared batch",
          "[webhook]") {
  fixture f(auth_spec{});
  const auto r = f.post(R"([{"msg":"one"},{"msg":"two"}])");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"accepted":2})");
  const auto batches = f.sink->batches();
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].format == model::input_format::prepared);
  REQUIRE(batches[0].prepared.size() == 2);
  CHECK(batches[0].prepared[1].message == "two");
  CHECK(batches[0].prepared[1].peer == "127.0.0.1:9");
  CHECK(f.counters.records_received.value() == 2);
}

TEST_CASE("webhook bearer auth: right token passes, wrong or missing is 401 and counted",
          "[webhook]") {
  auth_spec a;
  a.kind = auth_kind::bearer;
  a.token = "s3cret-token";
  fixture f(a);
  CHECK(f.post(R"({"msg":"x"})", {{"authorization", "Bearer s3cret-token"}}).status == 200);
  CHECK(f.post(R"({"msg":"x"})", {{"authorization", "bearer s3cret-token"}}).status == 200);
  CHECK(f.post(R"({"msg":"x"})", {{"authorization", "Bearer s3cret-tokeN"}}).status == 401);
  CHECK(f.post(R"({"msg":"x"})", {{"authorization", "Basic czM="}}).status == 401);
  CHECK(f.post(R"({"msg":"x"})", {{"authorization", "Bearer "}}).status == 401);
  const auto missing = f.post(R"({"msg":"x"})", {});
  CHECK(missing.status == 401);
  CHECK(missing.headers.at(0).first == "WWW-Authenticate");
  CHECK(f.rejected("bad_auth") == 3);
  CHECK(f.rejected("missing_auth") == 1);
  CHECK(f.sink->record_count() == 0);
  CHECK(f.sink->batches().size() == 2);
}

TEST_CASE("webhook HMAC auth checks GitHub's signature over the raw body", "[webhook]") {
  auth_spec a;
  a.kind = auth_kind::hmac;
  a.secret = "It's a Secret to Everybody";
  fixture f(a);
  const std::string body = R"({"msg":"signed"})";
  const auto sig = "sha256=" + util::hmac_sha256_hex(a.secret, body);
  CHECK(f.post(body, {{"x-hub-signature-256", sig}}).status == 200);
  // One changed byte of the body, the wrong secret, a malformed header, none at all.
  CHECK(f.post(R"({"msg":"signeD"})", {{"x-hub-signature-256", sig}}).status == 401);
  CHECK(f.post(body, {{"x-hub-signature-256", "sha256=" + util::hmac_sha256_hex("x", body)}})
            .status == 401);
  CHECK(f.post(body, {{"x-hub-signature-256", "sha1=abc"}}).status == 401);
  CHECK(f.post(body, {}).status == 401);
  CHECK(f.rejected("bad_auth") == 3);
  CHECK(f.rejected("missing_auth") == 1);
}

TEST_CASE("webhook bodies: form payloads, plain forms, wrong content types, bad JSON",
          "[webhook]") {
  fixture f(auth_spec{});
  const std::vector<std::pair<std::string, std::string>> form = {
      {"content-type", "application/x-www-form-urlencoded"}};
  CHECK(f.post("payload=%7B%22msg%22%3A%22from+form%22%7D", form).status == 200);
  CHECK(f.post("msg=plain+form&other=%C3%A9", form).status == 200);
  CHECK(f.post("msg=%zz", form).status == 400);
  CHECK(f.post("<xml/>", {{"content-type", "application/xml"}}).status == 415);
  CHECK(f.post(R"({"msg":"typed"})", {{"content-type", "application/vnd.github+json"}}).status ==
        200);
  CHECK(f.post(R"({"msg":"no type"})", {}).status == 200);
  const auto bad = f.post(R"({"msg":)");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("bad_json") != std::string::npos);
  std::vector<std::string> msgs;
  for (const auto& b : f.sink->batches())
    for (const auto& e : b.prepared) msgs.push_back(e.message);
  CHECK(msgs == std::vector<std::string>{"from form", "plain form", "typed", "no type"});
  CHECK(f.rejected("bad_form") == 1);
  CHECK(f.rejected("bad_content_type") == 1);
  CHECK(f.rejected("bad_json") == 1);
}

TEST_CASE("webhook endpoint answers 429 when the pipeline has no room", "[webhook]") {
  fixture f(auth_spec{}, 1, true);  // one credit, held: the second batch finds no room
  CHECK(f.post(R"({"msg":"a"})").status == 200);
  const auto r = f.post(R"([{"msg":"b"},{"msg":"c"}])");
  CHECK(r.status == 429);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0] == std::pair<std::string, std::string>{"Retry-After", "1"});
  CHECK(f.counters.records_dropped().value("backpressure") == 2);
  f.sink->release_held();
  CHECK(f.post(R"([{"msg":"b"},{"msg":"c"}])").status == 200);
}

TEST_CASE("form decoding rejects truncated escapes", "[webhook]") {
  std::string out;
  CHECK(form_decode("a%20b+c", out));
  CHECK(out == "a b c");
  CHECK_FALSE(form_decode("a%2", out));
  CHECK_FALSE(form_decode("%", out));
  CHECK_FALSE(form_decode("%g0", out));
}
