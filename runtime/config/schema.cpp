#include "runtime/config/schema.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>

#include <re2/re2.h>

#include "runtime/config/sinks_reader.hpp"
#include "runtime/config/supervision_reader.hpp"
#include "runtime/config/value_syntax.hpp"
#include "runtime/config/webhook_endpoints_reader.hpp"

namespace seerflow::config {
namespace {

using accessor = field_ref (*)(settings&);

// Each row names its field once; the lambda converts to a plain function pointer.
#define SEERFLOW_FIELD(path) [](settings& s) -> field_ref { return &s.path; }

constexpr std::int64_t kib = 1024;
constexpr std::int64_t mib = kib * kib;
constexpr std::int64_t gib = mib * kib;
constexpr std::int64_t second_ms = 1000;
constexpr std::int64_t hour_ms = 3600 * second_ms;
constexpr std::int64_t day_ms = 24 * hour_ms;
constexpr std::int64_t max_int64 = std::numeric_limits<std::int64_t>::max();

constexpr schema_entry boolean(std::string_view key, accessor f, std::string_view d) {
  return {.key = key, .type = value_type::boolean, .field = f, .description = d};
}
constexpr schema_entry integer(std::string_view key, accessor f, std::int64_t min, std::int64_t max,
                               std::string_view d) {
  return {.key = key,
          .type = value_type::integer,
          .field = f,
          .description = d,
          .min = min,
          .max = max};
}
constexpr schema_entry number(std::string_view key, accessor f, double min, double max,
                              std::string_view d) {
  return {.key = key,
          .type = value_type::number,
          .field = f,
          .description = d,
          .min_number = min,
          .max_number = max};
}
constexpr schema_entry duration(std::string_view key, accessor f, std::int64_t min,
                                std::int64_t max, std::string_view d) {
  return {.key = key,
          .type = value_type::duration,
          .field = f,
          .description = d,
          .min = min,
          .max = max};
}
constexpr schema_entry size(std::string_view key, accessor f, std::int64_t min, std::int64_t max,
                            std::string_view d) {
  return {
      .key = key, .type = value_type::size, .field = f, .description = d, .min = min, .max = max};
}
constexpr schema_entry text(std::string_view key, accessor f,
                            std::optional<std::string> (*check)(std::string&),
                            std::string_view note, std::string_view d) {
  return {.key = key,
          .type = value_type::text,
          .field = f,
          .description = d,
          .check = check,
          .type_note = note};
}
constexpr schema_entry choice(std::string_view key, accessor f,
                              std::span<const std::string_view> choices, std::string_view d,
                              std::optional<std::string> (*check)(std::string&) = nullptr) {
  return {.key = key,
          .type = value_type::choice,
          .field = f,
          .description = d,
          .choices = choices,
          .check = check};
}
constexpr schema_entry text_list(std::string_view key, accessor f,
                                 std::span<const std::string_view> choices, std::string_view d) {
  return {
      .key = key, .type = value_type::text_list, .field = f, .description = d, .choices = choices};
}
// A list of free texts, each validated by `check` (no fixed choices).
constexpr schema_entry checked_list(std::string_view key, accessor f,
                                    std::optional<std::string> (*check)(std::string&),
                                    std::string_view note, std::string_view d) {
  return {.key = key,
          .type = value_type::text_list,
          .field = f,
          .description = d,
          .check = check,
          .type_note = note};
}

// The template miner's mask kinds (runtime/parse/masking.hpp; a test keeps the two in step).
constexpr std::array<std::string_view, 17> mask_kinds{
    "ipv4", "ipv6",      "mac",        "uuid",    "hex",      "number",
    "url",  "email",     "domain",     "path",    "datetime", "duration",
    "size", "key_value", "identifier", "boolean", "account"};

std::optional<std::string> check_regex(std::string& v) {
  if (v.empty()) return "expected an RE2 pattern, got an empty text";
  re2::RE2::Options o;
  o.set_log_errors(false);
  re2::RE2 re(v, o);
  if (re.ok()) return std::nullopt;
  return "not a valid RE2 pattern: " + re.error();
}

std::optional<std::string> check_directory(std::string& v) {
  if (v.empty()) return "expected a directory, got an empty text";
  std::error_code ec;
  if (!std::filesystem::is_directory(v, ec)) return "not a directory: " + quote_for_message(v);
  return std::nullopt;
}

std::optional<std::string> check_placeholder(std::string& v) {
  const auto eq = v.find('=');
  if (eq == 0 || eq == std::string::npos || eq + 1 == v.size())
    return "expected name=value[,value...], got " + quote_for_message(v);
  if (v.find('%') < eq) return "the name goes without %: " + quote_for_message(v);
  return std::nullopt;
}

constexpr std::array<std::string_view, 2> correlation_owners{"source", "entity"};
constexpr std::array<std::string_view, 5> rule_levels{"informational", "low", "medium", "high",
                                                      "critical"};

std::optional<std::string> check_optional_regex(std::string& v) {
  if (v.empty()) return std::nullopt;
  return check_regex(v);
}

std::optional<std::string> check_absolute_path(std::string& v) {
  if (!v.empty() && v.front() == '/') return std::nullopt;
  return "expected an absolute path, got " + quote_for_message(v);
}

std::optional<std::string> check_optional_absolute_path(std::string& v) {
  if (v.empty()) return std::nullopt;
  return check_absolute_path(v);
}

std::optional<std::string> check_name(std::string& v) {
  if (is_valid_name(v)) return std::nullopt;
  return "expected a name of 1 to 128 characters from A-Z, a-z, 0-9, '_', '.' and '-', got " +
         quote_for_message(v);
}

std::optional<std::string> check_address(std::string& v) {
  if (is_ip_address(v)) return std::nullopt;
  return "expected an IP address such as 0.0.0.0 or ::, got " + quote_for_message(v);
}

// host:port, as a cluster node listens and is dialled (a host name or an IP address).
std::optional<std::string> check_host_port(std::string& v) {
  const auto colon = v.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < v.size();
  if (ok) {
    const auto port = v.substr(colon + 1);
    ok = port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
         std::stoul(port) >= 1 && std::stoul(port) <= 65535;
  }
  if (ok) return std::nullopt;
  return "expected host:port such as 10.0.0.5:7600 (port 1..65535), got " + quote_for_message(v);
}

std::optional<std::string> check_optional_host_port(std::string& v) {
  if (v.empty()) return std::nullopt;
  return check_host_port(v);
}

std::optional<std::string> check_optional_name(std::string& v) {
  if (v.empty()) return std::nullopt;
  return check_name(v);
}

std::optional<std::string> check_timezone(std::string& v) {
  std::string normalized;
  if (normalize_timezone(v, normalized)) {
    v = std::move(normalized);
    return std::nullopt;
  }
  return "expected UTC, local or a UTC offset such as +05:30 or -0800 (at most 14:00), got " +
         quote_for_message(v);
}

// A libpq URI; its syntax in full is checked when the store connects (libpq parses it), but
// a key=value connection string or a typo in the scheme is refused here, with its line.
std::optional<std::string> check_postgresql_url(std::string& v) {
  if (v.empty() || v.rfind("postgresql://", 0) == 0 || v.rfind("postgres://", 0) == 0)
    return std::nullopt;
  return "expected a libpq URI such as postgresql://seer:${PGPASSWORD}@127.0.0.1:5432/seerflow";
}

// "RULE=DURATION": a rule's own dedup window (checked here, applied by runtime/notify).
std::optional<std::string> check_dedup_override(std::string& v) {
  const auto eq = v.rfind('=');
  if (eq == 0 || eq == std::string::npos || eq + 1 == v.size())
    return "expected RULE=DURATION (such as ssh-brute-force=1h), got " + quote_for_message(v);
  std::int64_t ms = 0;
  bool overflow = false;
  if (!parse_duration_ms(v.substr(eq + 1), ms, overflow) || overflow || ms < 0 || ms > 365 * day_ms)
    return "expected a duration of 0..365d after '=', got " + quote_for_message(v);
  return std::nullopt;
}

// "KIND=FIELD+FIELD" over rule, entity, source, severity: which fields make a kind's dedup key.
std::optional<std::string> check_dedup_key(std::string& v) {
  const auto eq = v.find('=');
  if (eq == 0 || eq == std::string::npos || eq + 1 == v.size())
    return "expected KIND=FIELD[+FIELD...] (such as risk=entity), got " + quote_for_message(v);
  std::string_view fields = std::string_view(v).substr(eq + 1);
  while (!fields.empty()) {
    const auto plus = fields.find('+');
    const auto f = fields.substr(0, plus);
    if (f != "rule" && f != "entity" && f != "source" && f != "severity")
      return "unknown dedup field '" + std::string(f) +
             "' (known: rule, entity, source, severity) in " + quote_for_message(v);
    if (plus == std::string_view::npos) break;
    fields.remove_prefix(plus + 1);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 2> start_positions{"beginning", "end"};
constexpr std::array<std::string_view, 3> input_formats{"syslog", "raw", "jsonl"};
constexpr std::array<std::string_view, 2> utf8_policies{"repair", "reject"};
constexpr std::array<std::string_view, 2> backends{"sqlite", "postgresql"};
constexpr std::array<std::string_view, 3> synchronous_modes{"off", "normal", "full"};
constexpr std::array<std::string_view, 2> scheduler_policies{"sharing", "stealing"};
constexpr std::array<std::string_view, 4> log_levels{"error", "warn", "info", "debug"};
constexpr std::array<std::string_view, 6> entity_types{"ip",   "user",   "host",
                                                       "file", "domain", "process"};

constexpr std::int64_t max_duration = 365 * day_ms;

const std::array rows{
    text("data_dir", SEERFLOW_FIELD(data_dir), nullptr, "path",
         "state directory; empty = $SEERFLOW_DATA_DIR, $XDG_DATA_HOME/seerflow, "
         "~/.local/share/seerflow or ./seerflow-data, first that applies"),
    text("node_name", SEERFLOW_FIELD(node_name), check_name, "name",
         "this node's name in a cluster and in the actor registry"),

    text("receivers.syslog.source", SEERFLOW_FIELD(receivers.syslog.source), check_name, "name",
         "the source actor (supervision tree leaf) the syslog receivers feed"),
    boolean("receivers.syslog.udp.enabled", SEERFLOW_FIELD(receivers.syslog.udp.enabled),
            "receive syslog over UDP"),
    text("receivers.syslog.udp.bind", SEERFLOW_FIELD(receivers.syslog.udp.bind), check_address,
         "IP address", "address the UDP receiver binds to"),
    integer("receivers.syslog.udp.port", SEERFLOW_FIELD(receivers.syslog.udp.port), 0, 65535,
            "UDP port; 0 = any free port (reported at start)"),
    size("receivers.syslog.udp.max_record", SEERFLOW_FIELD(receivers.syslog.udp.max_record), 1,
         65535, "largest datagram accepted; longer ones are truncated by the kernel and rejected"),
    size("receivers.syslog.udp.receive_buffer", SEERFLOW_FIELD(receivers.syslog.udp.receive_buffer),
         kib, gib, "SO_RCVBUF requested (the kernel caps it at net.core.rmem_max)"),
    boolean("receivers.syslog.tcp.enabled", SEERFLOW_FIELD(receivers.syslog.tcp.enabled),
            "receive syslog over TCP"),
    text("receivers.syslog.tcp.bind", SEERFLOW_FIELD(receivers.syslog.tcp.bind), check_address,
         "IP address", "address the TCP receiver listens on"),
    integer("receivers.syslog.tcp.port", SEERFLOW_FIELD(receivers.syslog.tcp.port), 0, 65535,
            "TCP port; 0 = any free port (reported at start)"),
    size("receivers.syslog.tcp.max_record", SEERFLOW_FIELD(receivers.syslog.tcp.max_record), 1,
         64 * mib, "longer records are rejected as oversized, never split"),
    integer("receivers.syslog.tcp.max_connections",
            SEERFLOW_FIELD(receivers.syslog.tcp.max_connections), 1, 1'000'000,
            "open connections at most; further clients wait in the listen backlog"),
    duration("receivers.syslog.tcp.idle_timeout",
             SEERFLOW_FIELD(receivers.syslog.tcp.idle_timeout_ms), 1, max_duration,
             "connections silent this long are closed"),

    text("receivers.otlp.source", SEERFLOW_FIELD(receivers.otlp.source), check_name, "name",
         "the source actor (supervision tree leaf) the OTLP receivers feed"),
    size("receivers.otlp.max_request_bytes", SEERFLOW_FIELD(receivers.otlp.max_request_bytes), kib,
         gib, "largest request (after gunzip); larger ones get 413 or RESOURCE_EXHAUSTED"),
    size("receivers.otlp.max_record", SEERFLOW_FIELD(receivers.otlp.max_record), 1, 64 * mib,
         "largest body or field value of one log record; larger records are rejected"),
    duration("receivers.otlp.backpressure_wait",
             SEERFLOW_FIELD(receivers.otlp.backpressure_wait_ms), 0, hour_ms,
             "how long a request waits for pipeline room before 429 / RESOURCE_EXHAUSTED"),
    text("receivers.otlp.tls_cert_file", SEERFLOW_FIELD(receivers.otlp.tls_cert_file),
         check_optional_absolute_path, "path",
         "PEM certificate chain for OTLP gRPC and HTTP; TLS when both files are set"),
    text("receivers.otlp.tls_key_file", SEERFLOW_FIELD(receivers.otlp.tls_key_file),
         check_optional_absolute_path, "path", "PEM private key for OTLP gRPC and HTTP"),
    boolean("receivers.otlp.grpc.enabled", SEERFLOW_FIELD(receivers.otlp.grpc.enabled),
            "receive OTLP logs over gRPC (LogsService/Export)"),
    text("receivers.otlp.grpc.bind", SEERFLOW_FIELD(receivers.otlp.grpc.bind), check_address,
         "IP address", "address the OTLP gRPC receiver listens on"),
    integer("receivers.otlp.grpc.port", SEERFLOW_FIELD(receivers.otlp.grpc.port), 0, 65535,
            "OTLP gRPC port; 0 = any free port (reported at start)"),
    boolean("receivers.otlp.http.enabled", SEERFLOW_FIELD(receivers.otlp.http.enabled),
            "receive OTLP logs over HTTP (POST /v1/logs, protobuf or JSON)"),
    text("receivers.otlp.http.bind", SEERFLOW_FIELD(receivers.otlp.http.bind), check_address,
         "IP address", "address the OTLP HTTP receiver listens on"),
    integer("receivers.otlp.http.port", SEERFLOW_FIELD(receivers.otlp.http.port), 0, 65535,
            "OTLP HTTP port; 0 = any free port (reported at start)"),

    boolean("receivers.files.enabled", SEERFLOW_FIELD(receivers.files.enabled),
            "tail the files matched by receivers.files.paths"),
    text("receivers.files.source", SEERFLOW_FIELD(receivers.files.source), check_name, "name",
         "the source actor (supervision tree leaf) the file tail feeds"),
    checked_list("receivers.files.paths", SEERFLOW_FIELD(receivers.files.paths),
                 check_absolute_path, "absolute globs",
                 "files to tail: globs with *, ?, [...] and ** (any depth), re-scanned"),
    checked_list("receivers.files.roots", SEERFLOW_FIELD(receivers.files.roots),
                 check_absolute_path, "absolute paths",
                 "files must resolve (symlinks followed) under one of these; [] = the globs' "
                 "directories"),
    choice("receivers.files.start_at", SEERFLOW_FIELD(receivers.files.start_at), start_positions,
           "where files start at the very first start, without checkpoints (files found "
           "later or after a restart: beginning)"),
    duration("receivers.files.poll_interval", SEERFLOW_FIELD(receivers.files.poll_interval_ms), 1,
             hour_ms, "how often idle files are checked for new data"),
    duration("receivers.files.rescan_interval", SEERFLOW_FIELD(receivers.files.rescan_interval_ms),
             1, day_ms, "how often the globs are expanded again (new, rotated, deleted files)"),
    text("receivers.files.checkpoint_path", SEERFLOW_FIELD(receivers.files.checkpoint_path),
         nullptr, "path", "checkpoint file; empty = <data_dir>/checkpoints/<receiver name>.json"),
    duration("receivers.files.checkpoint_interval",
             SEERFLOW_FIELD(receivers.files.checkpoint_interval_ms), 0, hour_ms,
             "committed offsets are written at most this often (0 = after every committed "
             "batch), and at shutdown; the store commits them with the events in any case"),
    integer("receivers.files.max_unsaved_batches",
            SEERFLOW_FIELD(receivers.files.max_unsaved_batches), 0, 65536,
            "batches handed over but not yet checkpointed, at most; only matters without a "
            "store in the tree (what a crash may re-read then); 0 = bounded by pipeline.credits"),
    size("receivers.files.max_record", SEERFLOW_FIELD(receivers.files.max_record), 1, 64 * mib,
         "longer lines are cut and rejected as oversized"),
    choice("receivers.files.format", SEERFLOW_FIELD(receivers.files.format), input_formats,
           "how records are decoded: syslog, raw lines or JSON lines"),
    text("receivers.files.multiline.start_pattern",
         SEERFLOW_FIELD(receivers.files.multiline.start_pattern), check_optional_regex,
         "RE2 pattern", "a line matching this begins a record; others continue it (\"\" = off)"),
    text("receivers.files.multiline.continuation_pattern",
         SEERFLOW_FIELD(receivers.files.multiline.continuation_pattern), check_optional_regex,
         "RE2 pattern", "a line matching this continues the record; others begin one (\"\" = off)"),
    integer("receivers.files.multiline.max_lines",
            SEERFLOW_FIELD(receivers.files.multiline.max_lines), 1, 1'000'000,
            "lines per record at most"),
    size("receivers.files.multiline.max_bytes", SEERFLOW_FIELD(receivers.files.multiline.max_bytes),
         1, 64 * mib, "bytes per record at most"),
    duration("receivers.files.multiline.flush_timeout",
             SEERFLOW_FIELD(receivers.files.multiline.flush_timeout_ms), 1, hour_ms,
             "a pending record whose file stays quiet this long is handed over"),

    boolean("receivers.webhooks.enabled", SEERFLOW_FIELD(receivers.webhooks.enabled),
            "serve the webhook endpoints of receivers.webhooks.endpoints over HTTP"),
    text("receivers.webhooks.source", SEERFLOW_FIELD(receivers.webhooks.source), check_name, "name",
         "the source actor endpoints feed unless an endpoint names its own"),
    text("receivers.webhooks.bind", SEERFLOW_FIELD(receivers.webhooks.bind), check_address,
         "IP address", "address the webhook server listens on"),
    integer("receivers.webhooks.port", SEERFLOW_FIELD(receivers.webhooks.port), 0, 65535,
            "HTTP(S) port; 0 = any free port (reported at start)"),
    size("receivers.webhooks.max_body", SEERFLOW_FIELD(receivers.webhooks.max_body), 1, 256 * mib,
         "larger request bodies are refused with 413"),
    integer("receivers.webhooks.max_connections",
            SEERFLOW_FIELD(receivers.webhooks.max_connections), 1, 1'000'000,
            "open connections at most; further clients get 503"),
    duration("receivers.webhooks.header_timeout",
             SEERFLOW_FIELD(receivers.webhooks.header_timeout_ms), 1, hour_ms,
             "a request header (or the next one on a kept-alive connection) must arrive within "
             "this; slower clients are closed"),
    duration("receivers.webhooks.body_timeout", SEERFLOW_FIELD(receivers.webhooks.body_timeout_ms),
             1, hour_ms, "a request body must arrive within this"),
    text("receivers.webhooks.tls_cert", SEERFLOW_FIELD(receivers.webhooks.tls_cert),
         check_optional_absolute_path, "path",
         "PEM certificate chain; HTTPS when tls_key is set too"),
    text("receivers.webhooks.tls_key", SEERFLOW_FIELD(receivers.webhooks.tls_key),
         check_optional_absolute_path, "path", "PEM private key of tls_cert"),

    integer("pipeline.batch_size", SEERFLOW_FIELD(pipeline.batch_size), 1, 1'048'576,
            "records per batch handed to a source actor"),
    duration("pipeline.batch_linger", SEERFLOW_FIELD(pipeline.batch_linger_ms), 0, hour_ms,
             "a partial batch is handed over after this long"),
    integer("pipeline.credits", SEERFLOW_FIELD(pipeline.credits), 1, 65536,
            "batches in flight per source (the credit window)"),

    text("parse.timezone", SEERFLOW_FIELD(parse.timezone), check_timezone, "UTC|local|+hh:mm",
         "zone of timestamps that carry none: UTC, local or an offset such as +05:30"),
    choice("parse.invalid_utf8", SEERFLOW_FIELD(parse.invalid_utf8), utf8_policies,
           "invalid UTF-8 in a record: repair (U+FFFD, counted) or reject the record"),
    size("parse.max_message", SEERFLOW_FIELD(parse.max_message), 1, 64 * mib,
         "longer messages are rejected as oversized"),

    integer("drain.depth", SEERFLOW_FIELD(drain.depth), 3, 64,
            "depth of the Drain parse tree (root and length levels included)"),
    number("drain.similarity", SEERFLOW_FIELD(drain.similarity), 0.0, 1.0,
           "least token similarity for a message to join a template"),
    integer("drain.max_children", SEERFLOW_FIELD(drain.max_children), 1, 1'000'000,
            "children per Drain tree node"),
    integer("drain.max_clusters", SEERFLOW_FIELD(drain.max_clusters), 1, 100'000'000,
            "templates kept; least recently used ones are evicted beyond this"),
    text_list("drain.masks", SEERFLOW_FIELD(drain.masks), mask_kinds,
              "kinds of variable masked before mining"),
    checked_list("drain.custom_masks", SEERFLOW_FIELD(drain.custom_masks), check_regex,
                 "RE2 patterns", "further variables, as RE2 patterns matched over the message"),

    text_list("entities.types", SEERFLOW_FIELD(entities.types), entity_types,
              "entity types extracted from messages"),
    integer("entities.max_per_event", SEERFLOW_FIELD(entities.max_per_event), 1, 4096,
            "entities extracted from one event at most"),
    duration("entities.window", SEERFLOW_FIELD(entities.window_ms), 1, max_duration,
             "event-time span of an entity's sliding window"),
    integer("entities.window_max_events", SEERFLOW_FIELD(entities.window_max_events), 1, 1'000'000,
            "events kept in an entity's window at most"),

    boolean("sigma.enabled", SEERFLOW_FIELD(sigma.enabled), "evaluate Sigma rules on every event"),
    boolean("sigma.bundled", SEERFLOW_FIELD(sigma.bundled),
            "load the rules shipped with seerflow (Linux, web, proxy, DNS, correlations)"),
    checked_list("sigma.rule_dirs", SEERFLOW_FIELD(sigma.rule_dirs), check_directory, "directories",
                 "further directories of Sigma rules, read recursively"),
    checked_list("sigma.placeholders", SEERFLOW_FIELD(sigma.placeholders), check_placeholder,
                 "name=value[,value...]",
                 "values of Sigma `expand` placeholders, e.g. Admins=root,adm* for %Admins%"),
    choice("sigma.min_alert_level", SEERFLOW_FIELD(sigma.min_alert_level), rule_levels,
           "rules below this level raise no alert of their own (they still feed correlations)"),
    choice("sigma.correlation_windows", SEERFLOW_FIELD(sigma.correlation_windows),
           correlation_owners,
           "where a correlation grouped by an entity keeps its window: the source actor, or the "
           "entity's actor (sources and nodes share it)"),

    boolean("detect.enabled", SEERFLOW_FIELD(detect.enabled),
            "score every event with the online ensemble and raise anomaly alerts"),
    duration("detect.bucket", SEERFLOW_FIELD(detect.bucket_ms), 1000, day_ms,
             "event-time bucket of the volume, template volume, entity volume and change channels"),
    integer("detect.season_buckets", SEERFLOW_FIELD(detect.season_buckets), 2, 100000,
            "buckets in one Holt-Winters season (1440 one-minute buckets: a day)"),
    integer("detect.content.trees", SEERFLOW_FIELD(detect.hst_trees), 1, 256,
            "half-space trees of the content channel"),
    integer("detect.content.height", SEERFLOW_FIELD(detect.hst_height), 1, 20,
            "height of each half-space tree"),
    integer("detect.content.window", SEERFLOW_FIELD(detect.hst_window), 16, 65535,
            "events per half-space-tree reference window"),
    integer("detect.content.seed", SEERFLOW_FIELD(detect.hst_seed), 0, max_int64,
            "seed of the trees' random splits (runs are reproducible)"),
    number("detect.change.drift", SEERFLOW_FIELD(detect.cusum_drift), 0.0, 100.0,
           "CUSUM drift k, in standard deviations"),
    number("detect.change.threshold", SEERFLOW_FIELD(detect.cusum_threshold), 0.1, 1000.0,
           "CUSUM alarm threshold h, in standard deviations"),
    number("detect.sequence.smoothing", SEERFLOW_FIELD(detect.markov_smoothing), 0.0001, 100.0,
           "additive smoothing of each entity's template transition probabilities"),
    integer("detect.sequence.max_states", SEERFLOW_FIELD(detect.markov_max_states), 2, 65535,
            "templates remembered per entity's Markov chain"),
    integer("detect.sequence.max_entities", SEERFLOW_FIELD(detect.max_sequence_entities), 1,
            100'000'000, "entities with a Markov chain per source; least recently seen evicted"),
    integer("detect.threshold.calibration", SEERFLOW_FIELD(detect.dspot_calibration), 10, 1'000'000,
            "events the biDSPOT threshold calibrates on before it judges"),
    number("detect.threshold.risk", SEERFLOW_FIELD(detect.dspot_risk), 1e-9, 0.5,
           "biDSPOT risk q: the false-alarm probability per event it aims at"),
    integer("detect.threshold.depth", SEERFLOW_FIELD(detect.dspot_depth), 0, 100000,
            "biDSPOT drift window d (moving average); 0 = plain SPOT"),
    number("detect.threshold.initial_quantile", SEERFLOW_FIELD(detect.dspot_initial_quantile), 0.5,
           0.99999, "quantile of the calibration scores where the excesses start"),
    number("detect.weights.content", SEERFLOW_FIELD(detect.w_content), 0.0, 100.0,
           "ensemble weight of the content channel (half-space trees)"),
    number("detect.weights.volume", SEERFLOW_FIELD(detect.w_volume), 0.0, 100.0,
           "ensemble weight of the source volume channel (Holt-Winters)"),
    number("detect.weights.sequence", SEERFLOW_FIELD(detect.w_sequence), 0.0, 100.0,
           "ensemble weight of the sequence channel (per-entity Markov chains)"),
    number("detect.weights.change", SEERFLOW_FIELD(detect.w_change), 0.0, 100.0,
           "ensemble weight of the change channel (CUSUM)"),
    number("detect.weights.template_volume", SEERFLOW_FIELD(detect.w_template_volume), 0.0, 100.0,
           "ensemble weight of the per-template volume channel"),
    number("detect.weights.entity_volume", SEERFLOW_FIELD(detect.w_entity_volume), 0.0, 100.0,
           "ensemble weight of the per-entity volume channel"),

    duration("alerts.dedup_window", SEERFLOW_FIELD(alerts.dedup_window_ms), 0, max_duration,
             "repeats of an alert (same rule and entity) inside this event-time window are "
             "counted on the first, not raised again; 0 = no dedup"),
    checked_list("alerts.dedup_overrides", SEERFLOW_FIELD(alerts.dedup_overrides),
                 check_dedup_override, "RULE=DURATION",
                 "per-rule dedup windows, such as ssh-brute-force=1h (rule id or detector)"),
    checked_list("alerts.dedup_keys", SEERFLOW_FIELD(alerts.dedup_keys), check_dedup_key,
                 "KIND=FIELD+FIELD",
                 "per-kind dedup key fields (rule, entity, source, severity), such as "
                 "risk=entity; unlisted kinds use rule+entity"),

    boolean("correlation.enabled", SEERFLOW_FIELD(correlation.enabled),
            "score alerts per entity: risk with decay and the ATT&CK kill chain"),
    text_list("correlation.entity_types", SEERFLOW_FIELD(correlation.entity_types), entity_types,
              "entity types whose risk and kill chain are tracked"),
    duration("correlation.half_life", SEERFLOW_FIELD(correlation.half_life_ms), 1000, max_duration,
             "event time after which a finding's risk points have halved"),
    number("correlation.risk_threshold", SEERFLOW_FIELD(correlation.risk_threshold), 0.001, 1e9,
           "risk at which an entity raises a risk alert (again once it decayed below)"),
    duration("correlation.allowed_lateness", SEERFLOW_FIELD(correlation.allowed_lateness_ms), 0,
             max_duration, "findings older than the newest minus this are late (counted)"),
    number("correlation.points.sigma_low", SEERFLOW_FIELD(correlation.points_sigma_low), 0.0, 1e6,
           "risk points of a low (or informational) Sigma alert"),
    number("correlation.points.sigma_medium", SEERFLOW_FIELD(correlation.points_sigma_medium), 0.0,
           1e6, "risk points of a medium Sigma alert"),
    number("correlation.points.sigma_high", SEERFLOW_FIELD(correlation.points_sigma_high), 0.0, 1e6,
           "risk points of a high Sigma alert"),
    number("correlation.points.sigma_critical", SEERFLOW_FIELD(correlation.points_sigma_critical),
           0.0, 1e6, "risk points of a critical Sigma alert"),
    number("correlation.points.anomaly", SEERFLOW_FIELD(correlation.points_anomaly), 0.0, 1e6,
           "risk points of an anomaly alert"),
    number("correlation.points.correlation", SEERFLOW_FIELD(correlation.points_correlation), 0.0,
           1e6, "risk points of a Sigma correlation alert"),
    number("correlation.points.graph", SEERFLOW_FIELD(correlation.points_graph), 0.0, 1e6,
           "risk points of an entity-graph finding"),
    duration("correlation.kill_chain.window", SEERFLOW_FIELD(correlation.kill_chain_window_ms),
             1000, max_duration, "event-time window in which an entity's tactics are counted"),
    integer("correlation.kill_chain.min_tactics",
            SEERFLOW_FIELD(correlation.kill_chain_min_tactics), 1, 16,
            "distinct ATT&CK tactics in the window that raise a kill-chain alert"),

    boolean("graph.enabled", SEERFLOW_FIELD(graph.enabled),
            "keep the entity graph and run its algorithms (PageRank, Louvain, betweenness)"),
    duration("graph.interval", SEERFLOW_FIELD(graph.interval_ms), 100, max_duration,
             "how often the graph algorithms run and changed edges are stored (wall clock)"),
    integer("graph.max_nodes", SEERFLOW_FIELD(graph.max_nodes), 2, 100'000'000,
            "entities in the graph; least recently seen (event time) evicted with their edges"),
    integer("graph.max_edges", SEERFLOW_FIELD(graph.max_edges), 1, 1'000'000'000,
            "relations in the graph; least recently seen (event time) evicted"),
    number("graph.betweenness_threshold", SEERFLOW_FIELD(graph.betweenness_threshold), 0.0, 1.0,
           "normalised betweenness above which an entity becomes a bridge finding"),
    integer("graph.betweenness_samples", SEERFLOW_FIELD(graph.betweenness_samples), 0, 1'000'000,
            "larger graphs estimate betweenness from this many sampled sources; 0 = exact"),
    number("graph.fanout_sigma", SEERFLOW_FIELD(graph.fanout_sigma), 0.0, 1000.0,
           "fan-out above mean + this many standard deviations of the entity's history is a "
           "finding"),
    integer("graph.fanout_min_runs", SEERFLOW_FIELD(graph.fanout_min_runs), 1, 1'000'000,
            "runs of fan-out history an entity needs before it is judged"),

    integer("directory.max_live_actors", SEERFLOW_FIELD(directory.max_live_actors), 1, 100'000'000,
            "live template and entity actors; least recently used ones passivate"),
    duration("directory.idle_passivate", SEERFLOW_FIELD(directory.idle_passivate_ms), 1,
             max_duration, "actors idle this long (wall clock) passivate"),
    integer("directory.max_passive", SEERFLOW_FIELD(directory.max_passive), 1, 1'000'000'000,
            "snapshots of passivated actors kept"),
    duration("directory.sweep_interval", SEERFLOW_FIELD(directory.sweep_interval_ms), 1,
             max_duration, "how often the directory looks for idle actors"),

    choice("storage.backend", SEERFLOW_FIELD(storage.backend), backends,
           "storage engine: sqlite (a local file) or postgresql (a server, for clusters)"),
    text("storage.path", SEERFLOW_FIELD(storage.path), nullptr, "path",
         "database file; empty = <data_dir>/seerflow.db"),
    integer("storage.flush_rows", SEERFLOW_FIELD(storage.flush_rows), 1, 1'000'000,
            "a write transaction commits at this many rows..."),
    duration("storage.flush", SEERFLOW_FIELD(storage.flush_ms), 0, hour_ms,
             "...or this long after its first row"),
    choice("storage.synchronous", SEERFLOW_FIELD(storage.synchronous), synchronous_modes,
           "SQLite PRAGMA synchronous"),
    text("storage.postgresql.url", SEERFLOW_FIELD(storage.postgresql_url), check_postgresql_url,
         "URI", "libpq connection URI for backend postgresql; ${ENV} for the password"),
    duration("storage.retention.max_age", SEERFLOW_FIELD(storage.retention_max_age_ms), 0,
             max_duration,
             "events older than this (event time) and rejected records that arrived before "
             "then are deleted in the background, oldest first; 0 = keep"),
    size("storage.retention.max_bytes", SEERFLOW_FIELD(storage.retention_max_bytes), 0, max_int64,
         "above this many bytes of database pages in use the oldest events are deleted; "
         "0 = no cap"),
    duration("storage.retention.alerts_max_age",
             SEERFLOW_FIELD(storage.retention_alerts_max_age_ms), 0, max_duration,
             "alerts whose latest repeat is older than this are deleted; 0 = keep"),

    integer("runtime.scheduler_threads", SEERFLOW_FIELD(runtime.scheduler_threads), 0, 1024,
            "actor scheduler threads; 0 = number of cores"),
    choice("runtime.scheduler_policy", SEERFLOW_FIELD(runtime.scheduler_policy), scheduler_policies,
           "CAF scheduler policy (sharing scales to many actors)"),
    integer("runtime.io_threads", SEERFLOW_FIELD(runtime.io_threads), 1, 256,
            "threads running the network and disk coroutines"),
    choice("runtime.log_level", SEERFLOW_FIELD(runtime.log_level), log_levels,
           "least severe level written to the process log"),

    boolean("console.enabled", SEERFLOW_FIELD(console.enabled),
            "serve the inspection console (HTTP API and web page)"),
    text("console.bind", SEERFLOW_FIELD(console.bind), check_address, "IP address",
         "address the console binds to; keep it on loopback unless the network is trusted"),
    integer("console.port", SEERFLOW_FIELD(console.port), 0, 65535,
            "console port; 0 = any free port (reported at start)"),
    text("console.token", SEERFLOW_FIELD(console.token), nullptr, "token",
         "bearer token of the API; empty = a random one kept in <data_dir>/console.token"),

    boolean("cluster.enabled", SEERFLOW_FIELD(cluster.enabled),
            "run as a cluster node (also switched on by --node)"),
    text("cluster.node_id", SEERFLOW_FIELD(cluster.node_id), check_optional_name, "name",
         "this node's id in the cluster (placement hashes it); empty = node_name"),
    text("cluster.listen", SEERFLOW_FIELD(cluster.listen), check_host_port, "host:port",
         "address the node-to-node TLS listener binds (0.0.0.0:PORT for every interface)"),
    text("cluster.advertise", SEERFLOW_FIELD(cluster.advertise), check_optional_host_port,
         "host:port", "address other nodes dial to reach this one; empty = cluster.listen"),
    checked_list("cluster.seeds", SEERFLOW_FIELD(cluster.seeds), check_host_port, "host:port list",
                 "nodes to join through (any one that answers is enough); may list this node"),
    duration("cluster.heartbeat", SEERFLOW_FIELD(cluster.heartbeat_ms), 10, hour_ms,
             "how often every peer is pinged"),
    duration("cluster.failure_timeout", SEERFLOW_FIELD(cluster.failure_timeout_ms), 10, hour_ms,
             "a peer that answers no ping for this long is taken as gone (a closed connection "
             "is noticed at once)"),
    duration("cluster.reconnect_min", SEERFLOW_FIELD(cluster.reconnect_min_ms), 10, hour_ms,
             "first redial of an unreachable peer or seed; each failure doubles the wait..."),
    duration("cluster.reconnect_max", SEERFLOW_FIELD(cluster.reconnect_max_ms), 10, day_ms,
             "...up to this"),
    duration("cluster.seed_unhealthy_after", SEERFLOW_FIELD(cluster.seed_unhealthy_ms), 0,
             max_duration,
             "a configured seed unreachable this long makes the node unhealthy (status exits 1)"),
    duration("cluster.forward_timeout", SEERFLOW_FIELD(cluster.forward_timeout_ms), 100, hour_ms,
             "a batch sent to its owning node and not acknowledged by then is counted as lost"),
    duration("cluster.snapshot_interval", SEERFLOW_FIELD(cluster.snapshot_interval_ms), 0, day_ms,
             "with storage.backend postgresql: how often each node writes the snapshots of its "
             "changed entity and template actors to the store (also on passivation), so the "
             "survivors of a node that dies take its ids over with their state; 0 = never"),
    text("cluster.tls.certificate", SEERFLOW_FIELD(cluster.tls_certificate), nullptr, "path",
         "PEM certificate of this node, signed by the cluster CA (required in node mode)"),
    text("cluster.tls.key", SEERFLOW_FIELD(cluster.tls_key), nullptr, "path",
         "PEM private key of the certificate (required in node mode)"),
    text("cluster.tls.ca_file", SEERFLOW_FIELD(cluster.tls_ca_file), nullptr, "path",
         "PEM CA every peer's certificate must be signed by (required in node mode)"),
};

#undef SEERFLOW_FIELD

std::string join(std::span<const std::string_view> xs, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i > 0) out += sep;
    out += xs[i];
  }
  return out;
}

}  // namespace

std::span<const schema_entry> schema() {
  return rows;
}

const schema_entry* find_entry(std::string_view key) {
  for (const auto& e : rows) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

bool is_section(std::string_view key) {
  if (key.empty()) return false;
  for (const auto& e : rows) {
    if (e.key.size() > key.size() && e.key.starts_with(key) && e.key[key.size()] == '.') {
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& known_paths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out;
    auto add = [&](std::string_view p) {
      if (std::find(out.begin(), out.end(), p) == out.end()) out.emplace_back(p);
    };
    for (const auto& e : rows) {
      for (std::size_t dot = e.key.find('.'); dot != std::string_view::npos;
           dot = e.key.find('.', dot + 1)) {
        add(e.key.substr(0, dot));
      }
      add(e.key);
    }
    add("alerts.sinks");
    add("supervision");
    return out;
  }();
  return paths;
}

field_ref read_field(const schema_entry& e, const settings& s) {
  // The accessors only form a pointer; callers of read_field never write through it.
  return e.field(const_cast<settings&>(s));
}

std::string render_value(const schema_entry& e, const settings& s) {
  const field_ref f = read_field(e, s);
  std::int64_t integral = 0;
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          integral = static_cast<std::int64_t>(*p);
        }
      },
      f);
  switch (e.type) {
    case value_type::boolean:
      return *std::get<bool*>(f) ? "true" : "false";
    case value_type::integer:
      return std::to_string(integral);
    case value_type::number:
      return format_number(*std::get<double*>(f));
    case value_type::text:
    case value_type::choice: {
      const std::string& v = *std::get<std::string*>(f);
      return v.empty() ? "\"\"" : v;
    }
    case value_type::duration:
      return format_duration_ms(integral);
    case value_type::size:
      return format_size_bytes(integral);
    case value_type::text_list: {
      std::string out = "[";
      const auto& v = *std::get<std::vector<std::string>*>(f);
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out += ", ";
        out += v[i];
      }
      return out + "]";
    }
  }
  return {};
}

std::string describe_type(const schema_entry& e) {
  switch (e.type) {
    case value_type::boolean:
      return "boolean";
    case value_type::integer:
      return "integer " + std::to_string(e.min) + ".." + std::to_string(e.max);
    case value_type::number:
      return "number " + format_number(e.min_number) + ".." + format_number(e.max_number);
    case value_type::text:
      return e.type_note.empty() ? std::string("string") : std::string(e.type_note);
    case value_type::choice:
      return join(e.choices, "|");
    case value_type::duration:
      return "duration " + format_duration_ms(e.min) + ".." + format_duration_ms(e.max);
    case value_type::size:
      return "size " + format_size_bytes(e.min) + ".." + format_size_bytes(e.max);
    case value_type::text_list:
      return "list of " + join(e.choices, "|");
  }
  return {};
}

std::string describe_schema() {
  struct line {
    std::string key, type, value, description;
  };
  std::vector<line> lines;
  lines.push_back({"KEY", "TYPE", "DEFAULT", "DESCRIPTION"});
  const settings defaults;
  for (const auto& e : rows) {
    lines.push_back({std::string(e.key), describe_type(e), render_value(e, defaults),
                     std::string(e.description)});
  }
  lines.push_back({"alerts.sinks", "sequence", "[]",
                   "alert destinations, one mapping per sink with the keys below"});
  for (const auto& k : sink_keys()) {
    lines.push_back({"alerts.sinks[]." + std::string(k.key), std::string(k.type),
                     std::string(k.default_value), std::string(k.description)});
  }
  lines.push_back({"supervision", "tree", "(built-in)",
                   "the supervision tree; replaces the built-in conf/supervision.yaml when set"});
  for (const auto& k : supervision_node_keys()) {
    lines.push_back({"supervision." + std::string(k.key), std::string(k.type),
                     std::string(k.default_value), std::string(k.description)});
  }
  lines.push_back({"receivers.webhooks.endpoints", "list", "[]",
                   "webhook endpoints, each a mapping with the keys below"});
  for (const auto& k : webhook_endpoint_keys()) {
    lines.push_back({"receivers.webhooks.endpoints[]." + std::string(k.key), std::string(k.type),
                     std::string(k.default_value), std::string(k.description)});
  }
  std::size_t key_width = 0;
  std::size_t type_width = 0;
  std::size_t value_width = 0;
  for (const auto& l : lines) {
    key_width = std::max(key_width, l.key.size());
    type_width = std::max(type_width, l.type.size());
    value_width = std::max(value_width, l.value.size());
  }
  std::string out;
  for (const auto& l : lines) {
    out += l.key;
    out.append(key_width - l.key.size() + 2, ' ');
    out += l.type;
    out.append(type_width - l.type.size() + 2, ' ');
    out += l.value;
    out.append(value_width - l.value.size() + 2, ' ');
    out += l.description;
    out += '\n';
  }
  return out;
}

}  // namespace seerflow::config
