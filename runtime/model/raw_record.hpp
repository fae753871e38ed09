#pragma once
// What a receiver hands to its source actor: framed bytes plus transport facts, not yet decoded.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/commit_hook.hpp"
#include "runtime/model/event.hpp"
#include "runtime/model/tail_offsets.hpp"

namespace seerflow::model {

// `prepared`: the receiver decoded the records itself (OTLP, webhooks) and hands over events in
// raw_batch::prepared; the source pipeline numbers, mines and enriches them like any other.
enum class input_format : std::uint8_t { syslog = 0, raw, jsonl, prepared };

constexpr std::string_view to_string(input_format f) {
  switch (f) {
    case input_format::syslog:
      return "syslog";
    case input_format::raw:
      return "raw";
    case input_format::jsonl:
      return "jsonl";
    case input_format::prepared:
      return "prepared";
  }
  return "?";
}

struct raw_record {
  std::string data;             // one framed record, without its trailing newline
  std::int64_t arrival_ns = 0;  // wall clock at receipt
  std::string peer;             // "10.0.0.7:51514", "stdin", "file:/var/log/syslog"
};

struct raw_batch {
  input_format format = input_format::syslog;
  std::vector<raw_record> records;
  // format == prepared: the decoded events, in input order (records is then unused). Each needs
  // message, and may carry time_ns (with time_from_log), host, app, procid, msgid, facility,
  // severity, fields, peer and arrival_ns; source, seq, template and entities are set later.
  std::vector<event> prepared;
  // Optional, local only (never serialized): runs once the batch's events are committed by the
  // sinks (see commit_hook.hpp). The file tailer advances its checkpoints with it.
  std::shared_ptr<commit_hook> on_committed;
  // Optional, local only: the file tailer's read positions at the end of this batch, written
  // by the store in the same transaction as the batch's events (see tail_offsets.hpp).
  std::shared_ptr<const tail_offsets> tail;
};

// A record that could not become an event, kept with its reason for inspection.
struct rejected_record {
  std::string source;
  std::string reason;  // short, stable identifier: "bad_pri", "oversized", ...
  std::string detail;  // human-readable explanation
  std::string data;    // the offending bytes, truncated to a bounded prefix
  std::int64_t arrival_ns = 0;
  std::string peer;
  // Sequence number of the last event accepted before this record in the same source (0 if
  // none), so that outputs can show rejections in input order.
  std::uint64_t after_seq = 0;
};

}  // namespace seerflow::model
