// OTLP/HTTP without sockets: every status of POST /v1/logs (415, 413, 400, 429, 200 with
// partial_success) in both encodings, gzip bodies, and the hand-over to the pipeline.
#include <catch2/catch.hpp>

#include <future>

#include <zlib.h>

#include "runtime/otlp/gzip.hpp"
#include "runtime/otlp/http_export.hpp"
#include "runtime/otlp/json_text.hpp"
#include "tests/unit/net/net_test_support.hpp"
#include "tests/unit/otlp/otlp_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

namespace {

std::string gzip(const std::string& in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

otlp::http_export_request request(std::string_view type, std::string_view body,
                                  std::string_view encoding = "") {
  otlp::http_export_request r;
  r.content_type = type;
  r.content_encoding = encoding;
  r.body = body;
  r.peer = "otlp-http:127.0.0.1:1";
  r.arrival_ns = 1;
  return r;
}

std::string header(const otlp::http_export_response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// Runs serve_http_export on an io_context thread and waits for its response.
otlp::http_export_response serve(const otlp::http_export_request& req, test_sink& sink,
                                 const otlp::http_export_options& opts, metrics::registry& reg) {
  io_thread io;
  otlp::otlp_counters counters(reg, "otlp-http");
  std::promise<otlp::http_export_response> p;
  auto f = p.get_future();
  boost::asio::co_spawn(
      io.io(),
      [&]() -> boost::asio::awaitable<void> {
        p.set_value(co_await otlp::serve_http_export(req, opts, sink, counters));
      },
      boost::asio::detached);
  return f.get();
}

}  // namespace

TEST_CASE("content types: protobuf and JSON accepted, others 415", "[otlp][http]") {
  const otlp::http_export_options opts;
  const auto bytes = sample_bytes(2);
  auto pb = otlp::decode_http_export(request("application/x-protobuf", bytes), opts);
  CHECK_FALSE(pb.refusal);
  CHECK(pb.encoding == otlp::body_encoding::protobuf);
  CHECK(pb.decoded.events.size() == 2);
  auto js = otlp::decode_http_export(
      request("Application/JSON; charset=utf-8", R"({"resourceLogs":[]})"), opts);
  CHECK_FALSE(js.refusal);
  CHECK(js.encoding == otlp::body_encoding::json);
  for (const char* t : {"text/plain", "", "application/xml", "application/x-protobufx"}) {
    INFO(t);
    auto out = otlp::decode_http_export(request(t, bytes), opts);
    REQUIRE(out.refusal);
    CHECK(out.refusal->status == 415);
  }
  auto enc = otlp::decode_http_export(request("application/x-protobuf", bytes, "br"), opts);
  REQUIRE(enc.refusal);
  CHECK(enc.refusal->status == 415);
}

TEST_CASE("oversized bodies get 413, also when gzip inflates beyond the limit", "[otlp][http]") {
  otlp::http_export_options opts;
  opts.max_request_bytes = 2000;
  const std::string big(3000, 'a');
  auto out = otlp::decode_http_export(request("application/json", big), opts);
  REQUIRE(out.refusal);
  CHECK(out.refusal->status == 413);
  // A small gzip body that inflates to a megabyte of zeros (a "zip bomb").
  const auto bomb = gzip(std::string(1 << 20, '\0'));
  REQUIRE(bomb.size() < 2000);
  auto b = otlp::decode_http_export(request("application/x-protobuf", bomb, "gzip"), opts);
  REQUIRE(b.refusal);
  CHECK(b.refusal->status == 413);
}

TEST_CASE("gzip bodies are inflated; bad gzip is 400", "[otlp][http]") {
  const otlp::http_export_options opts;
  const auto bytes = sample_bytes(3);
  auto ok = otlp::decode_http_export(request("application/x-protobuf", gzip(bytes), "gzip"), opts);
  CHECK_FALSE(ok.refusal);
  CHECK(ok.decoded.events.size() == 3);
  auto two = otlp::decode_http_export(
      request("application/x-protobuf", gzip(bytes) + gzip(bytes), "gzip"), opts);
  CHECK(two.decoded.events.size() == 6);  // concatenated members, as gzip(1) reads them
  const auto z = gzip(bytes);
  for (std::size_t n = 0; n < z.size(); ++n) {
    auto cut = otlp::decode_http_export(
        request("application/x-protobuf", std::string_view(z).substr(0, n), "gzip"), opts);
    REQUIRE(cut.refusal);
    CHECK(cut.refusal->status == 400);
  }
  auto junk = otlp::decode_http_export(request("application/x-protobuf", "not gzip", "gzip"), opts);
  REQUIRE(junk.refusal);
  CHECK(junk.refusal->status == 400);
}

TEST_CASE("a bad body is 400 with a google.rpc.Status in the request's encoding", "[otlp][http]") {
  const otlp::http_export_options opts;
  auto js = otlp::decode_http_export(request("application/json", "{nope"), opts);
  REQUIRE(js.refusal);
  CHECK(js.refusal->status == 400);
  CHECK(js.refusal->content_type == "application/json");
  CHECK(js.refusal->body.find("\"code\":3") != std::string::npos);
  auto pb = otlp::decode_http_export(request("application/x-protobuf", "\xff\xff\xff"), opts);
  REQUIRE(pb.refusal);
  CHECK(pb.refusal->status == 400);
  CHECK(pb.refusal->content_type == "application/x-protobuf");
  CHECK(pb.refusal->body.substr(0, 2) == std::string("\x08\x03", 2));
}

TEST_CASE("accepted requests answer ExportLogsServiceResponse, with partial_success",
          "[otlp][http]") {
  auto req = sample_request(3);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(1)->clear_body();
  const otlp::http_export_options opts;
  test_sink sink;
  metrics::registry reg;
  const auto bytes = req.SerializeAsString();
  const auto r = serve(request("application/x-protobuf", bytes), sink, opts, reg);
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/x-protobuf");
  export_response_pb resp;
  REQUIRE(resp.ParseFromString(r.body));
  CHECK(resp.partial_success().rejected_log_records() == 1);
  CHECK(resp.partial_success().error_message().find("no_body") != std::string::npos);
  const auto batches = sink.batches();
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].format == model::input_format::prepared);
  REQUIRE(batches[0].prepared.size() == 2);
  CHECK(batches[0].prepared[1].message == "order 2 placed");

  const auto j = serve(request("application/json", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
      {"body":{"stringValue":"ok"}}, {"severityText":"no body"}]}]}]})"),
                       sink, opts, reg);
  CHECK(j.status == 200);
  CHECK(j.body.find(R"("partialSuccess":{"rejectedLogRecords":"1")") != std::string::npos);
  const auto all_good =
      serve(request("application/json", R"({"resourceLogs":[]})"), sink, opts, reg);
  CHECK(all_good.body == "{}");
}

TEST_CASE("no room in the pipeline: 429 with Retry-After and nothing taken", "[otlp][http]") {
  otlp::http_export_options opts;
  opts.patience = std::chrono::milliseconds(20);
  opts.retry_after_s = 2;
  test_sink sink(1, /*hold=*/true);
  metrics::registry reg;
  const auto bytes = sample_bytes(2);
  const auto first = serve(request("application/x-protobuf", bytes), sink, opts, reg);
  CHECK(first.status == 200);
  const auto busy = serve(request("application/x-protobuf", bytes), sink, opts, reg);
  CHECK(busy.status == 429);
  CHECK(header(busy, "Retry-After") == "2");
  CHECK(sink.batches().size() == 1);
  sink.release_held();
  const auto again = serve(request("application/x-protobuf", bytes), sink, opts, reg);
  CHECK(again.status == 200);
  CHECK(sink.batches().size() == 2);
  otlp::otlp_counters counters(reg, "otlp-http");
  CHECK(counters.requests_refused().value("backpressure") == 1);
  CHECK(counters.common.records_received.value() == 4);
}

TEST_CASE("base64 and JSON text writers", "[otlp][json]") {
  std::string s;
  otlp::append_base64(s, "hello");
  CHECK(s == "aGVsbG8=");
  std::string back;
  CHECK(otlp::decode_base64(s, back));
  CHECK(back == "hello");
  back.clear();
  CHECK(otlp::decode_base64("aGVsbG8", back));  // padding optional
  CHECK(back == "hello");
  CHECK_FALSE(otlp::decode_base64("a", back));
  std::string j;
  otlp::append_json_string(j, std::string("a\"\\\n\x01", 5));
  CHECK(j == R"("a\"\\\n\u0001")");
}
