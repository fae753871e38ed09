#include "runtime/otlp/http_export.hpp"

#include <cctype>

#include "runtime/otlp/gzip.hpp"
#include "runtime/otlp/json_decoder.hpp"
#include "runtime/otlp/patient_submit.hpp"
#include "runtime/otlp/protobuf_decoder.hpp"

namespace seerflow::otlp {
namespace {

constexpr const char* protobuf_type = "application/x-protobuf";
constexpr const char* json_type = "application/json";

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The media type without parameters ("application/json; charset=utf-8") or blanks.
std::string_view media_type(std::string_view v) {
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

const char* content_type_of(body_encoding enc) {
  return enc == body_encoding::json ? json_type : protobuf_type;
}

http_export_response status_response(int http_status, int grpc_code, const std::string& message,
                                     body_encoding enc) {
  http_export_response r;
  r.status = http_status;
  r.content_type = content_type_of(enc);
  r.body = encode_status(grpc_code, message, enc);
  return r;
}

}  // namespace

http_decode_outcome decode_http_export(const http_export_request& req,
                                       const http_export_options& opts) {
  http_decode_outcome out;
  const auto type = media_type(req.content_type);
  if (iequal(type, json_type)) {
    out.encoding = body_encoding::json;
  } else if (iequal(type, protobuf_type) || iequal(type, "application/protobuf")) {
    out.encoding = body_encoding::protobuf;
  } else {
    out.decoded.fail("unsupported_media_type",
                     "Content-Type '" + std::string(type.substr(0, 80)) +
                         "' is neither application/x-protobuf nor application/json");
    out.refusal = status_response(415, 3, out.decoded.error_detail, body_encoding::json);
    out.refusal->content_type = "application/json";
    return out;
  }
  if (req.body.size() > opts.max_request_bytes) {
    out.decoded.fail("oversized", "request body of " + std::to_string(req.body.size()) +
                                      " bytes exceeds " + std::to_string(opts.max_request_bytes));
    out.refusal = status_response(413, 8, out.decoded.error_detail, out.encoding);
    return out;
  }
  std::string inflated;
  std::string_view body = req.body;
  const auto encoding = media_type(req.content_encoding);
  if (iequal(encoding, "gzip")) {
    switch (gunzip(req.body, opts.max_request_bytes, inflated)) {
      case gunzip_status::ok:
        body = inflated;
        break;
      case gunzip_status::too_large:
        out.decoded.fail("oversized", "gzip body inflates beyond " +
                                          std::to_string(opts.max_request_bytes) + " bytes");
        out.refusal = status_response(413, 8, out.decoded.error_detail, out.encoding);
        return out;
      case gunzip_status::bad:
        out.decoded.fail("bad_gzip", "the body is not valid gzip data");
        out.refusal = status_response(400, 3, out.decoded.error_detail, out.encoding);
        return out;
    }
  } else if (!encoding.empty() && !iequal(encoding, "identity")) {
    out.decoded.fail("unsupported_encoding", "Content-Encoding '" +
                                                 std::string(encoding.substr(0, 40)) +
                                                 "' is not supported (gzip is)");
    out.refusal = status_response(415, 3, out.decoded.error_detail, out.encoding);
    return out;
  }
  out.decoded = out.encoding == body_encoding::json
                    ? decode_json(body, opts.limits, req.arrival_ns, req.peer)
                    : decode_protobuf(body, opts.limits, req.arrival_ns, req.peer);
  if (!out.decoded.ok)
    out.refusal = status_response(
        400, 3, out.decoded.error_reason + ": " + out.decoded.error_detail, out.encoding);
  return out;
}

http_export_response accepted_response(const decoded_export& d, body_encoding enc) {
  http_export_response r;
  r.content_type = content_type_of(enc);
  r.body = encode_response(d, enc);
  return r;
}

http_export_response busy_response(body_encoding enc, int retry_after_s, bool shutting_down) {
  auto r = shutting_down
               ? status_response(503, 14, "the pipeline is shutting down; retry later", enc)
               : status_response(429, 8, "the pipeline is busy; retry later", enc);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

boost::asio::awaitable<http_export_response> serve_http_export(http_export_request req,
                                                               const http_export_options& opts,
                                                               ingest::batch_sink& sink,
                                                               const otlp_counters& counters) {
  counters.requests.add();
  counters.common.bytes_received.add(req.body.size());
  auto outcome = decode_http_export(req, opts);
  counters.count_decoded(outcome.decoded);
  if (outcome.refusal) co_return std::move(*outcome.refusal);
  auto& d = outcome.decoded;
  if (!d.events.empty()) {
    const auto n = d.events.size();
    model::raw_batch batch;
    batch.format = model::input_format::prepared;
    batch.prepared = std::move(d.events);
    const bool taken = co_await submit_within(sink, batch, opts.patience);
    if (!taken) {
      counters.requests_refused().add("backpressure");
      co_return busy_response(outcome.encoding, opts.retry_after_s, false);
    }
    counters.common.records_received.add(n);
    counters.common.batches_submitted.add();
  }
  co_return accepted_response(d, outcome.encoding);
}

}  // namespace seerflow::otlp
