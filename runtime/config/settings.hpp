#pragma once
// Every configuration key Seerflow reads, with its default. Zero-config is `settings{}` plus the
// default supervision tree. The YAML schema (runtime/config/schema.cpp) maps keys onto these
// fields; keep the two in step, and document keys in conf/seerflow.example.yaml.
// Every struct compares field by field (tests compare loaded settings with the defaults).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace seerflow::config {

// Where a value came from, for error messages ("seerflow.yaml:12:5: receivers.syslog.tcp.port").
struct location {
  std::string file;
  int line = 0;    // 1-based; 0 = built-in default
  int column = 0;  // 1-based

  bool operator==(const location&) const = default;
};

struct syslog_udp_settings {
  bool enabled = true;
  std::string bind = "0.0.0.0";
  std::uint16_t port = 5514;  // 0 = any free port (reported at start)
  std::size_t max_record =
      65507;  // largest UDP payload; longer datagrams are truncated by the kernel and rejected
  std::size_t receive_buffer = 4u << 20;  // SO_RCVBUF request (capped by net.core.rmem_max)

  bool operator==(const syslog_udp_settings&) const = default;
};

struct syslog_tcp_settings {
  bool enabled = true;
  std::string bind = "0.0.0.0";
  std::uint16_t port = 5601;
  std::size_t max_record = 65536;         // longer records are rejected ("oversized"), not split
  std::size_t max_connections = 1024;     // further clients wait in the listen backlog
  std::int64_t idle_timeout_ms = 600000;  // close connections silent this long

  bool operator==(const syslog_tcp_settings&) const = default;
};

struct syslog_settings {
  std::string source = "syslog";  // the source actor the syslog receivers feed
  syslog_udp_settings udp;
  syslog_tcp_settings tcp;

  bool operator==(const syslog_settings&) const = default;
};

struct files_multiline_settings {
  std::string start_pattern;             // RE2: a matching line begins a record ("" = unused)
  std::string continuation_pattern;      // RE2: a matching line continues the record ("" = unused)
  std::size_t max_lines = 500;           // a record holds at most this many lines...
  std::size_t max_bytes = 65536;         // ...and this many bytes
  std::int64_t flush_timeout_ms = 1000;  // a record whose file is quiet this long is handed over

  bool operator==(const files_multiline_settings&) const = default;
};

struct files_settings {
  bool enabled = false;
  std::string source = "files";    // the source actor the file tail feeds
  std::vector<std::string> paths;  // globs ("/var/log/*.log", "/srv/**/app.log")
  std::vector<std::string> roots;  // files must resolve under these; empty = the globs' dirs
  std::string start_at = "end";    // files at the very first start (no checkpoints): beginning|end
  std::int64_t poll_interval_ms = 250;
  std::int64_t rescan_interval_ms = 5000;
  std::string checkpoint_path;  // default: <data_dir>/checkpoints/<receiver name>.json
  std::int64_t checkpoint_interval_ms = 1000;
  std::size_t max_unsaved_batches = 0;  // batches not yet covered by a checkpoint; 0 = no bound
  std::size_t max_record = 65536;       // longer lines are cut and rejected ("oversized")
  std::string format = "raw";           // syslog | raw | jsonl
  files_multiline_settings multiline;

  bool operator==(const files_settings&) const = default;
};

// One webhook endpoint (receivers.webhooks.endpoints[]); read by webhook_endpoints_reader.
// The mapping specs are JSON paths ("commits.0.author.name", or "/a/b.c" as a JSON pointer) or
// templates ("{action} by {sender.login}"); runtime/webhook/value_spec.hpp has the syntax.
struct webhook_endpoint_settings {
  location where;             // of the list item, for errors found when the receiver starts
  std::string path;           // "/hooks/github": exact path, POST only
  std::string source;         // the source actor fed; "" = receivers.webhooks.source
  std::string app;            // spec of the app field; "" = the path's last segment
  std::string auth = "none";  // none | bearer | hmac
  std::string token;          // bearer: the expected token
  std::string secret;         // hmac: the shared secret
  std::string signature_header = "X-Hub-Signature-256";  // hmac: "sha256=<hex>" header
  std::string records;  // path of an array of records in the payload ("items"); "" = payload
  std::string message, host, user, severity, timestamp;     // specs; "" = not mapped
  std::vector<std::pair<std::string, std::string>> fields;  // field name -> spec
  bool flatten = true;  // also keep every leaf of the record as a field

  bool operator==(const webhook_endpoint_settings&) const = default;
};

struct webhooks_settings {
  bool enabled = false;
  std::string source = "webhooks";  // the source actor endpoints feed by default
  std::string bind = "0.0.0.0";
  std::uint16_t port = 8081;
  std::size_t max_body = 1u << 20;  // larger requests get 413
  std::size_t max_connections = 256;
  std::int64_t header_timeout_ms = 10000;  // slow senders of a header are closed
  std::int64_t body_timeout_ms = 30000;
  std::string tls_cert;  // PEM certificate chain; TLS when both are set
  std::string tls_key;   // PEM private key
  std::vector<webhook_endpoint_settings> endpoints;

  bool operator==(const webhooks_settings&) const = default;
};

// One OTLP transport (gRPC or HTTP). Off by default: the well-known ports are opened only when
// asked for.
struct otlp_endpoint_settings {
  bool enabled = false;
  std::string bind = "0.0.0.0";
  std::uint16_t port = 0;  // 0 = any free port (reported at start)

  bool operator==(const otlp_endpoint_settings&) const = default;
};

struct otlp_settings {
  std::string source = "otlp";  // the source actor the OTLP receivers feed
  otlp_endpoint_settings grpc{false, "0.0.0.0", 4317};
  otlp_endpoint_settings http{false, "0.0.0.0", 4318};
  std::size_t max_request_bytes = 4u << 20;  // per request, after gunzip (413 / RESOURCE_EXHAUSTED)
  std::size_t max_record = 65536;            // body or field of one log record ("oversized")
  std::int64_t backpressure_wait_ms =
      1000;                   // wait for pipeline room, then 429 / RESOURCE_EXHAUSTED
  std::string tls_cert_file;  // PEM certificate chain; TLS when both are set
  std::string tls_key_file;   // PEM private key

  bool operator==(const otlp_settings&) const = default;
};

struct receivers_settings {
  syslog_settings syslog;
  files_settings files;
  webhooks_settings webhooks;
  otlp_settings otlp;

  bool operator==(const receivers_settings&) const = default;
};

struct pipeline_settings {
  std::size_t batch_size = 1024;     // records per batch handed to a source actor
  std::int64_t batch_linger_ms = 5;  // a partial batch is handed over after this long
  std::size_t credits = 64;          // batches in flight per source (the credit window)

  bool operator==(const pipeline_settings&) const = default;
};

struct parse_settings {
  std::string timezone = "UTC";         // zone of timestamps without one: "UTC", "local", "+05:30"
  std::string invalid_utf8 = "repair";  // "repair" (U+FFFD, counted) or "reject"
  std::size_t max_message = 65536;      // longer messages are rejected ("oversized")

  bool operator==(const parse_settings&) const = default;
};

struct drain_settings {
  int depth = 4;
  double similarity = 0.4;
  int max_children = 100;
  std::size_t max_clusters = 100000;  // least recently used clusters are evicted beyond this
  // Kinds of variable masked before mining (runtime/parse/masking.hpp); all of them by default.
  std::vector<std::string> masks = {"ipv4",     "ipv6",     "mac",   "uuid",      "hex",
                                    "number",   "url",      "email", "domain",    "path",
                                    "datetime", "duration", "size",  "key_value", "identifier",
                                    "boolean",  "account"};
  // Further variables as RE2 patterns, matched over the whole message.
  std::vector<std::string> custom_masks;

  bool operator==(const drain_settings&) const = default;
};

struct entity_settings {
  // Entity types extracted (all by default): ip, user, host, file, domain, process.
  std::vector<std::string> types = {"ip", "user", "host", "file", "domain", "process"};
  std::size_t max_per_event = 32;
  std::int64_t window_ms = 3600000;  // event-time span of an entity's sliding window
  std::size_t window_max_events = 256;

  bool operator==(const entity_settings&) const = default;
};

struct sigma_settings {
  bool enabled = true;
  bool bundled = true;                 // the rules shipped in the binary (rules/ of the source)
  std::vector<std::string> rule_dirs;  // further directories of Sigma rules (*.yml, *.yaml)
  // Values of `expand` placeholders, one "name=value[,value...]" per entry
  // ("Admins=root,adm*" gives %Admins%); a rule naming an unset placeholder is rejected.
  std::vector<std::string> placeholders;
  // Rules below this level feed correlations but raise no alert of their own.
  std::string min_alert_level = "medium";
  // Where the window of a correlation grouped by an entity's value lives: "source" (the source
  // actor's matcher; findings reach every entity in event order) or "entity" (that entity's
  // actor, so matches from every source and node meet; findings about the entity's peers are
  // forwarded after their own batch findings, so within one batch they count as late).
  std::string correlation_windows = "entity";

  bool operator==(const sigma_settings&) const = default;
};

// The detection ensemble (runtime/detect/settings.hpp has the meaning of each).
struct detect_settings {
  bool enabled = true;
  std::int64_t bucket_ms = 60000;  // event-time bucket of the volume channels
  int season_buckets = 1440;       // buckets in a season (a day of minutes)
  int hst_trees = 25;
  int hst_height = 11;
  int hst_window = 1000;
  std::int64_t hst_seed = 0x5eeff10b;
  double cusum_drift = 0.5;
  double cusum_threshold = 5.0;
  double markov_smoothing = 0.5;
  int markov_max_states = 64;
  std::size_t max_sequence_entities = 4096;
  int dspot_calibration = 200;
  double dspot_risk = 1.2e-3;
  int dspot_depth = 50;
  double dspot_initial_quantile = 0.98;
  double w_content = 0.30, w_volume = 0.25, w_sequence = 0.25, w_change = 0.20,
         w_template_volume = 0.15, w_entity_volume = 0.15;

  bool operator==(const detect_settings&) const = default;
};

// One destination of alerts (`alerts.sinks[i]`): a sink actor delivers what passes its filters.
struct sink_settings {
  std::string name;         // unique among sinks; default: the type
  std::string type;         // slack | teams | webhook | pagerduty
  std::string url;          // endpoint; pagerduty defaults to the Events API v2 enqueue URL
  std::string secret;       // webhook: HMAC-SHA256 key of X-Seerflow-Signature ("" = unsigned)
  std::string routing_key;  // pagerduty: the integration's routing key
  std::string min_severity = "low";  // low | medium | high | critical
  // Routing: an alert is sent when it matches every non-empty list (any element of one).
  std::vector<std::string> kinds, rules, tactics;
  std::int64_t timeout_ms = 10000;         // one HTTP attempt at most this long
  int max_retries = 8;                     // retries after the first attempt, then failed
  std::int64_t backoff_initial_ms = 1000;  // first retry delay (doubles, with jitter)
  std::int64_t backoff_max_ms = 300000;    // retry delays are capped here
  location where;                          // where the sink was declared, for messages

  bool operator==(const sink_settings&) const = default;
};

struct alert_settings {
  // Alerts with one dedup key (rule + entity by default) inside this event-time window are one
  // alert with a count: stored once, sent once.
  std::int64_t dedup_window_ms = 900000;
  // Per-rule windows, "RULE=DURATION" ("ssh-brute-force=1h"); RULE is a rule id or detector.
  std::vector<std::string> dedup_overrides;
  // Per-kind dedup keys, "KIND=FIELD+FIELD" over rule, entity, source, severity
  // ("risk=entity"); kinds not listed use rule+entity.
  std::vector<std::string> dedup_keys;
  std::vector<sink_settings> sinks;  // none by default: alerts are stored, delivered nowhere

  bool operator==(const alert_settings&) const = default;
};

// Per-entity correlation (runtime/correlate/): risk with event-time decay and the kill chain.
struct correlation_settings {
  bool enabled = true;
  // Entities whose actors score findings. Processes and files are left out by default: a
  // program name ("sshd") or a path is shared by every machine, so its "risk" means nothing.
  std::vector<std::string> entity_types = {"ip", "user", "host", "domain"};
  std::int64_t half_life_ms = 4 * 3600000;  // risk halves every 4 h of event time
  double risk_threshold = 50;               // crossing it raises one `risk` alert
  std::int64_t allowed_lateness_ms = 300000;
  double points_sigma_low = 5, points_sigma_medium = 10, points_sigma_high = 20,
         points_sigma_critical = 40, points_anomaly = 5, points_correlation = 25, points_graph = 10;
  std::int64_t kill_chain_window_ms = 24 * 3600000;
  int kill_chain_min_tactics = 3;

  bool operator==(const correlation_settings&) const = default;
};

// The entity graph (runtime/graph/, actors/graph_actor.hpp).
struct graph_settings {
  bool enabled = true;
  std::int64_t interval_ms = 60000;      // the algorithms run this often (wall clock)
  std::size_t max_nodes = 100000;        // least recently seen entities evicted beyond this
  std::size_t max_edges = 1000000;       // least recently seen relations evicted beyond this
  double betweenness_threshold = 0.25;   // normalised betweenness that makes an entity a bridge
  std::size_t betweenness_samples = 64;  // sources sampled on larger graphs; 0 = always exact
  double fanout_sigma = 3.0;             // fan-out above mean + this many σ of its history
  std::size_t fanout_min_runs = 5;       // runs of history before an entity's fan-out is judged

  bool operator==(const graph_settings&) const = default;
};

struct directory_settings {
  std::size_t max_live_actors = 100000;     // beyond this, least recently used actors passivate
  std::int64_t idle_passivate_ms = 300000;  // actors idle this long (wall clock) passivate
  std::size_t max_passive = 1000000;        // snapshots kept for passivated actors
  std::int64_t sweep_interval_ms = 10000;

  bool operator==(const directory_settings&) const = default;
};

struct storage_settings {
  std::string backend = "sqlite";      // sqlite or postgresql
  std::string path;                    // default: <data_dir>/seerflow.db
  std::string postgresql_url;          // libpq URI, for backend postgresql
  std::size_t flush_rows = 16384;      // a write transaction commits at this many rows...
  std::int64_t flush_ms = 200;         // ...or this long after its first row
  std::string synchronous = "normal";  // SQLite PRAGMA synchronous: off, normal, full
  // Retention, enforced in the background by the store: 0 keeps everything.
  std::int64_t retention_max_age_ms = 0;         // events older than this (event time)
  std::int64_t retention_max_bytes = 0;          // database pages in use above this
  std::int64_t retention_alerts_max_age_ms = 0;  // alerts whose latest repeat is older

  bool operator==(const storage_settings&) const = default;
};

struct runtime_settings {
  int scheduler_threads = 0;                 // 0 = number of cores
  std::string scheduler_policy = "sharing";  // CAF scheduler: sharing or stealing (see README)
  int io_threads = 1;
  std::string log_level = "info";

  bool operator==(const runtime_settings&) const = default;
};

// The inspection console: the HTTP API (actor tree, state, entities, templates, alerts,
// Prometheus metrics, restarts) and the web page, behind a bearer token.
struct console_settings {
  bool enabled = true;
  std::string bind = "127.0.0.1";  // loopback by default: the API can restart actors
  std::uint16_t port = 8090;
  std::string token;  // empty: a random token kept in <data_dir>/console.token
  bool operator==(const console_settings&) const = default;
};

// `seerflow --node`: this node in a cluster of Seerflow processes. Nodes talk over CAF's
// middleman with OpenSSL and mutual TLS (every node presents a certificate signed by the CA).
struct cluster_settings {
  bool enabled = false;                       // also switched on by --node
  std::string node_id;                        // empty: node_name
  std::string listen = "127.0.0.1:7600";      // host:port the TLS listener binds
  std::string advertise;                      // host:port other nodes dial; empty: listen
  std::vector<std::string> seeds;             // host:port of nodes to join through
  std::string tls_certificate;                // PEM, signed by tls_ca_file's CA
  std::string tls_key;                        // PEM private key of the certificate
  std::string tls_ca_file;                    // PEM CA that signs every node's certificate
  std::int64_t heartbeat_ms = 1000;           // how often every peer is pinged
  std::int64_t failure_timeout_ms = 5000;     // a peer silent this long is taken as gone
  std::int64_t reconnect_min_ms = 500;        // first redial after a failure...
  std::int64_t reconnect_max_ms = 10000;      // ...doubling up to this
  std::int64_t seed_unhealthy_ms = 30000;     // a seed unreachable this long: status unhealthy
  std::int64_t forward_timeout_ms = 10000;    // a batch sent to a peer not acknowledged by then
  std::int64_t snapshot_interval_ms = 30000;  // changed actors' snapshots to a shared store
  bool operator==(const cluster_settings&) const = default;
};

// A node of the supervision tree. A supervisor has a strategy, an intensity and children; a
// leaf names an actor kind from the catalog (actors/catalog.hpp).
struct tree_node {
  std::string name;
  std::string kind;                         // "supervisor" or a catalog kind
  std::string strategy = "one_for_one";     // one_for_one | one_for_all | rest_for_one
  int max_restarts = 5;                     // restart intensity: at most this many restarts...
  std::int64_t within_ms = 10000;           // ...within this window, else give up and escalate
  std::string restart = "permanent";        // leaves: permanent | transient | temporary
  std::map<std::string, std::string> args;  // kind-specific arguments
  std::vector<tree_node> children;
  location where;

  bool operator==(const tree_node&) const = default;
};

struct settings {
  std::string data_dir;  // default: $SEERFLOW_DATA_DIR, else $XDG_DATA_HOME/seerflow, else
                         // ~/.local/share/seerflow
  std::string node_name = "local";
  receivers_settings receivers;
  pipeline_settings pipeline;
  parse_settings parse;
  drain_settings drain;
  entity_settings entities;
  sigma_settings sigma;
  detect_settings detect;
  alert_settings alerts;
  correlation_settings correlation;
  graph_settings graph;
  directory_settings directory;
  storage_settings storage;
  runtime_settings runtime;
  console_settings console;
  cluster_settings cluster;
  tree_node supervision;  // default: conf/supervision.yaml, embedded in the binary
  std::string origin;     // file the settings were loaded from ("" = defaults only)

  bool operator==(const settings&) const = default;
};

}  // namespace seerflow::config
