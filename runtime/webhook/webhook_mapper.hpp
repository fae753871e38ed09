#pragma once
// Turns one webhook payload (JSON text) into events. The mapping names, per event field that
// detection uses, where its value lives in a record (see value_spec.hpp): message, host, app,
// user (a field "user", which entity extraction reads), severity, timestamp, and any number of
// named fields for Sigma rules. A payload that is an array, or whose `records` path names an
// array (a Kubernetes EventList's "items"), gives one event per element. Hostile payloads are
// refused with a reason before any work proportional to their nesting or size is done.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/model/event.hpp"
#include "runtime/webhook/value_spec.hpp"

namespace seerflow::webhook {

struct mapping_spec {
  std::string records;  // path of the array of records; "" = the payload (an array: each element)
  std::string message;  // "" = the record as compact JSON
  std::string host, app, user, severity, timestamp;
  std::vector<std::pair<std::string, std::string>> fields;  // field name -> value spec
  bool flatten = true;  // also keep every leaf of the record as a field ("sender.login")
};

struct mapper_limits {
  std::size_t max_depth = 64;       // nesting of the payload
  std::size_t max_records = 10000;  // events from one payload
  std::size_t max_fields = 256;     // fields of one event (mapped first, then flattened)
  std::size_t max_value = 8192;     // bytes of one field value
  std::size_t max_message = 65536;  // bytes of a message
};

// Why a payload was refused: "bad_json", "too_deep", "too_many_records", "no_records".
struct decode_error {
  std::string reason;
  std::string detail;
};

class webhook_mapper {
 public:
  // nullopt with `error` naming the bad spec ("message: unclosed '{' ...").
  static std::optional<webhook_mapper> compile(const mapping_spec& spec, std::string default_app,
                                               mapper_limits limits, std::string& error);

  // Appends one event per record to `out` (which is left as it was on failure). Never throws.
  std::optional<decode_error> decode(std::string_view json, std::int64_t arrival_ns,
                                     const std::string& peer, std::vector<model::event>& out) const;

 private:
  void map_record(const nlohmann::json& rec, model::event& ev) const;

  std::optional<json_path> records_;
  std::optional<value_spec> message_, host_, app_, user_, severity_, timestamp_;
  std::vector<std::pair<std::string, value_spec>> fields_;
  bool flatten_ = true;
  std::string default_app_;
  mapper_limits lim_;
};

// True when `json` nests arrays and objects deeper than `max_depth` (strings are skipped, so
// brackets inside them do not count). Linear, no allocation: run before parsing.
bool nesting_exceeds(std::string_view json, std::size_t max_depth);

// Severity (syslog 0..7) of a mapped value: a number 0..7, a level word (severity_from_text), or
// Kubernetes' "Normal" (informational); -1 when unknown.
int severity_of(const nlohmann::json& v);

// Event time of a mapped value, ns since the epoch: an RFC 3339 string, or a number (or numeric
// string) of epoch s, ms, us or ns by magnitude. nullopt when it is neither or before 1970.
std::optional<std::int64_t> time_of(const nlohmann::json& v);

}  // namespace seerflow::webhook
