#include "runtime/config/loader.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "runtime/config/schema.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::env_of;
using seerflow::config::test::error_lines;
using seerflow::config::test::load;
using seerflow::config::test::test_env;
using lines = std::vector<std::string>;

TEST_CASE("zero config is every default plus the built-in supervision tree") {
  const settings s = default_settings(test_env());
  CHECK(s.node_name == "local");
  CHECK(s.receivers.syslog.udp.port == 5514);
  CHECK(s.receivers.syslog.tcp.port == 5601);
  CHECK(s.pipeline.batch_linger_ms == 5);
  CHECK(s.entities.types ==
        std::vector<std::string>{"ip", "user", "host", "file", "domain", "process"});
  CHECK(s.data_dir == "/home/tester/.local/share/seerflow");
  CHECK(s.storage.path == "/home/tester/.local/share/seerflow/seerflow.db");
  CHECK(s.origin.empty());

  const tree_node& root = s.supervision;
  CHECK(root.name == "root");
  CHECK(root.kind == "supervisor");
  CHECK(root.strategy == "one_for_one");
  CHECK(root.max_restarts == 3);
  CHECK(root.within_ms == 30'000);
  CHECK(root.where == location{"conf/supervision.yaml (built-in)", 6, 3});
  REQUIRE(root.children.size() == 6);
  CHECK(root.children[0].name == "store");
  CHECK(root.children[0].kind == "store");
  CHECK(root.children[0].restart == "permanent");
  CHECK(root.children[0].where == location{"conf/supervision.yaml (built-in)", 11, 7});
  CHECK(root.children[3].kind == "console");
  CHECK(root.children[4].kind == "graph");
  const tree_node& ingest = root.children[5];
  CHECK(ingest.name == "ingest");
  CHECK(ingest.kind == "supervisor");
  CHECK(ingest.max_restarts == 10);
  CHECK(ingest.within_ms == 10'000);
  REQUIRE(ingest.children.size() == 10);
  CHECK(ingest.children[1].name == "syslog-udp");
  CHECK(ingest.children[1].kind == "syslog_udp");
  CHECK(ingest.children[4].name == "file-tail");
  CHECK(ingest.children[4].kind == "file_tail");
  CHECK(ingest.children[6].name == "webhook-http");
  CHECK(ingest.children[6].kind == "webhook");
  CHECK(ingest.children[7].name == "otlp");
  CHECK(ingest.children[7].kind == "source");
  CHECK(ingest.children[8].name == "otlp-grpc");
  CHECK(ingest.children[8].kind == "otlp_grpc");
  CHECK(ingest.children[9].name == "otlp-http");
  CHECK(ingest.children[9].kind == "otlp_http");
  CHECK(&default_supervision_tree() != &root);
  CHECK(default_supervision_tree() == root);
}

TEST_CASE("an empty or comment-only file is valid and gives the defaults") {
  for (const char* text : {"", "\n", "# nothing here\n", "---\n", "~\n", "---\n...\n"}) {
    INFO(text);
    load_result r = load(text);
    CHECK(r.ok());
    CHECK(error_lines(r).empty());
    CHECK(r.value.origin == "t.yaml");
    r.value.origin.clear();
    CHECK(r.value == default_settings(test_env()));
  }
}

TEST_CASE("an empty value keeps the default") {
  const load_result r = load("pipeline:\n  batch_size:\n  credits: ~\nparse:\n");
  CHECK(r.ok());
  CHECK(r.value.pipeline.batch_size == 1024);
  CHECK(r.value.pipeline.credits == 64);
}

TEST_CASE("booleans: good and bad values") {
  for (auto [text, expected] : std::vector<std::pair<const char*, bool>>{
           {"off", false}, {"no", false}, {"False", false}, {"yes", true}, {"ON", true}}) {
    const load_result r =
        load(std::string("receivers:\n  syslog:\n    udp:\n      enabled: ") + text + "\n");
    INFO(text);
    CHECK(r.ok());
    CHECK(r.value.receivers.syslog.udp.enabled == expected);
  }
  const load_result r = load("receivers:\n  syslog:\n    udp:\n      enabled: maybe\n");
  CHECK(error_lines(r) == lines{"t.yaml:4:16: receivers.syslog.udp.enabled: expected a boolean "
                                "(true/false, yes/no, on/off), got 'maybe'"});
  CHECK(r.value.receivers.syslog.udp.enabled);
}

TEST_CASE("integers: good values, bad text and range checks") {
  load_result r =
      load("receivers:\n  syslog:\n    tcp:\n      port: 0\n      max_connections: 7\n");
  CHECK(r.ok());
  CHECK(r.value.receivers.syslog.tcp.port == 0);
  CHECK(r.value.receivers.syslog.tcp.max_connections == 7);

  r = load("runtime:\n  scheduler_threads: 4\n  io_threads: \"2\"\n");
  CHECK(r.ok());
  CHECK(r.value.runtime.scheduler_threads == 4);
  CHECK(r.value.runtime.io_threads == 2);

  r = load(
      "receivers:\n"
      "  syslog:\n"
      "    udp:\n"
      "      port: 70000\n"
      "    tcp:\n"
      "      port: abc\n"
      "      max_connections: 0\n"
      "pipeline:\n"
      "  batch_size: -1\n"
      "  credits: 99999999999999999999999\n"
      "runtime:\n"
      "  io_threads: 1.5\n"
      "  scheduler_threads: [1]\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:4:13: receivers.syslog.udp.port: '70000' is out of range (0..65535)",
            "t.yaml:6:13: receivers.syslog.tcp.port: expected an integer, got 'abc'",
            "t.yaml:7:24: receivers.syslog.tcp.max_connections: '0' is out of range (1..1000000)",
            "t.yaml:9:15: pipeline.batch_size: '-1' is out of range (1..1048576)",
            "t.yaml:10:12: pipeline.credits: '99999999999999999999999' is out of range (1..65536)",
            "t.yaml:12:15: runtime.io_threads: expected an integer, got '1.5'",
            "t.yaml:13:22: runtime.scheduler_threads: expected an integer, got a sequence",
        });
  // Bad values leave the defaults in place.
  CHECK(r.value.receivers.syslog.udp.port == 5514);
  CHECK(r.value.pipeline.batch_size == 1024);
}

TEST_CASE("numbers: good values and range checks") {
  load_result r = load("drain:\n  similarity: 0.75\n  depth: 5\n");
  CHECK(r.ok());
  CHECK(r.value.drain.similarity == 0.75);
  CHECK(r.value.drain.depth == 5);
  r = load("drain:\n  similarity: 1.5\n  depth: 2\n  max_children: x\n");
  CHECK(error_lines(r) == lines{
                              "t.yaml:2:15: drain.similarity: '1.5' is out of range (0..1)",
                              "t.yaml:3:10: drain.depth: '2' is out of range (3..64)",
                              "t.yaml:4:17: drain.max_children: expected an integer, got 'x'",
                          });
  r = load("drain:\n  similarity: .nan\n");
  CHECK(error_lines(r) == lines{"t.yaml:2:15: drain.similarity: expected a number, got '.nan'"});
}

TEST_CASE("enumerations: allowed values, refused ones and postgresql") {
  load_result r = load(
      "parse:\n  invalid_utf8: reject\nstorage:\n  synchronous: full\nruntime:\n"
      "  scheduler_policy: stealing\n  log_level: debug\n");
  CHECK(r.ok());
  CHECK(r.value.parse.invalid_utf8 == "reject");
  CHECK(r.value.storage.synchronous == "full");
  CHECK(r.value.runtime.scheduler_policy == "stealing");
  CHECK(r.value.runtime.log_level == "debug");

  r = load(
      "parse:\n  invalid_utf8: drop\nstorage:\n  backend: postgresql\n  synchronous: FULL\n"
      "runtime:\n  log_level: trace\n  scheduler_policy: 3\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:2:17: parse.invalid_utf8: expected one of repair|reject, got 'drop'",
            "t.yaml:5:16: storage.synchronous: expected one of off|normal|full, got 'FULL'",
            "t.yaml:7:14: runtime.log_level: expected one of error|warn|info|debug, got 'trace'",
            "t.yaml:8:21: runtime.scheduler_policy: expected one of sharing|stealing, got '3'",
            "t.yaml: storage.postgresql.url: storage.backend is postgresql but "
            "storage.postgresql.url is not set (postgresql://USER:${PGPASSWORD}@HOST:5432/DB)",
        });
  r = load("storage:\n  backend: mysql\n");
  CHECK(error_lines(r) ==
        lines{"t.yaml:2:12: storage.backend: expected one of sqlite|postgresql, got 'mysql'"});
  r = load("storage:\n  backend: postgresql\n  postgresql: {url: 'host=db'}\n");
  REQUIRE(error_lines(r).size() == 2);  // refused, so not set either
  CHECK(error_lines(r)[0].find("storage.postgresql.url: expected a libpq URI") !=
        std::string::npos);
  r = load(
      "storage:\n  backend: postgresql\n  postgresql: {url: 'postgresql://s@db/x'}\n"
      "  retention: {max_bytes: 1GiB}\n");
  REQUIRE(error_lines(r).size() == 1);
  CHECK(error_lines(r)[0].find("storage.retention.max_bytes applies to the sqlite backend") !=
        std::string::npos);
  r = load("storage:\n  backend: postgresql\n  postgresql: {url: 'postgresql://s:pw@db/x'}\n");
  CHECK(r.ok());
  CHECK(r.value.storage.postgresql_url == "postgresql://s:pw@db/x");
}

TEST_CASE("timezones are checked and normalized") {
  for (auto [text, expected] : std::vector<std::pair<const char*, const char*>>{
           {"UTC", "UTC"}, {"local", "local"}, {"'+0530'", "+05:30"}, {"-08:00", "-08:00"}}) {
    INFO(text);
    const load_result r = load(std::string("parse:\n  timezone: ") + text + "\n");
    CHECK(r.ok());
    CHECK(r.value.parse.timezone == expected);
  }
  const load_result r = load("parse:\n  timezone: Europe/Paris\n");
  CHECK(error_lines(r) ==
        lines{"t.yaml:2:13: parse.timezone: expected UTC, local or a UTC offset such as +05:30 or "
              "-0800 (at most 14:00), got 'Europe/Paris'"});
}

TEST_CASE("durations drop the _ms suffix and take human units") {
  load_result r = load(
      "pipeline:\n  batch_linger: 2ms\n"
      "directory:\n  idle_passivate: 5m\n  sweep_interval: 250\n"
      "storage:\n  flush: 1s\n"
      "receivers:\n  syslog:\n    tcp:\n      idle_timeout: 1h\n"
      "entities:\n  window: 2d\n");
  CHECK(r.ok());
  CHECK(r.value.pipeline.batch_linger_ms == 2);
  CHECK(r.value.directory.idle_passivate_ms == 300'000);
  CHECK(r.value.directory.sweep_interval_ms == 250);
  CHECK(r.value.storage.flush_ms == 1000);
  CHECK(r.value.receivers.syslog.tcp.idle_timeout_ms == 3'600'000);
  CHECK(r.value.entities.window_ms == 172'800'000);

  r = load("pipeline:\n  batch_linger: 0\n");
  CHECK(r.ok());
  CHECK(r.value.pipeline.batch_linger_ms == 0);

  r = load(
      "pipeline:\n  batch_linger: 5x\n"
      "entities:\n  window: 0s\n"
      "directory:\n  idle_passivate: 400d\n  sweep_interval: 99999999999999999999d\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:2:17: pipeline.batch_linger: expected a duration such as 250ms, 10s, 5m, 1h "
            "or 2d (a bare number is milliseconds), got '5x'",
            "t.yaml:4:11: entities.window: '0s' is out of range (1ms..365d)",
            "t.yaml:6:19: directory.idle_passivate: '400d' is out of range (1ms..365d)",
            "t.yaml:7:19: directory.sweep_interval: '99999999999999999999d' is out of range "
            "(1ms..365d)",
        });
}

TEST_CASE("sizes take binary and decimal units") {
  load_result r = load(
      "receivers:\n  syslog:\n    udp:\n      max_record: 8KiB\n      receive_buffer: 8MiB\n"
      "    tcp:\n      max_record: 1MB\n"
      "parse:\n  max_message: 1000\n");
  CHECK(r.ok());
  CHECK(r.value.receivers.syslog.udp.max_record == 8192);
  CHECK(r.value.receivers.syslog.udp.receive_buffer == 8u << 20);
  CHECK(r.value.receivers.syslog.tcp.max_record == 1'000'000);
  CHECK(r.value.parse.max_message == 1000);

  r = load(
      "receivers:\n  syslog:\n    udp:\n      max_record: 70000\n      receive_buffer: 4XB\n"
      "parse:\n  max_message: 1.5MiB\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:4:19: receivers.syslog.udp.max_record: '70000' is out of range (1B..65535B)",
            "t.yaml:5:23: receivers.syslog.udp.receive_buffer: expected a size such as 65536, "
            "64KiB or 4MiB (units B, KB, KiB, MB, MiB, GB, GiB), got '4XB'",
            "t.yaml:7:16: parse.max_message: expected a size such as 65536, 64KiB or 4MiB (units "
            "B, KB, KiB, MB, MiB, GB, GiB), got '1.5MiB'",
        });
}

TEST_CASE("string lists: each element checked, no repeats") {
  load_result r = load("entities:\n  types: [ip, user]\n");
  CHECK(r.ok());
  CHECK(r.value.entities.types == std::vector<std::string>{"ip", "user"});

  r = load("entities:\n  types:\n    - host\n    - file\n");
  CHECK(r.value.entities.types == std::vector<std::string>{"host", "file"});

  r = load("entities:\n  types: []\n");
  CHECK(r.ok());
  CHECK(r.value.entities.types.empty());

  r = load("entities:\n  types: [ip, mac, ip, {a: 1}]\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:2:15: entities.types[1]: expected one of "
            "ip|user|host|file|domain|process, got 'mac'",
            "t.yaml:2:20: entities.types[2]: 'ip' is listed twice",
            "t.yaml:2:24: entities.types[3]: expected one of ip|user|host|file|domain|process, "
            "got a mapping",
        });
  CHECK(r.value.entities.types.size() == 6);  // a bad list leaves the default

  r = load("entities:\n  types: ip\n");
  CHECK(error_lines(r) == lines{"t.yaml:2:10: entities.types: expected a list of "
                                "ip|user|host|file|domain|process (a YAML sequence such as "
                                "[ip, user]), got a scalar"});
}

TEST_CASE("strings: names and addresses are checked") {
  load_result r = load(
      "node_name: edge-1.dc2\nreceivers:\n  syslog:\n    source: app_logs\n    udp:\n"
      "      bind: '::'\n    tcp:\n      bind: 127.0.0.1\n");
  CHECK(r.ok());
  CHECK(r.value.node_name == "edge-1.dc2");
  CHECK(r.value.receivers.syslog.source == "app_logs");
  CHECK(r.value.receivers.syslog.udp.bind == "::");
  CHECK(r.value.receivers.syslog.tcp.bind == "127.0.0.1");

  r = load("node_name: my node\nreceivers:\n  syslog:\n    udp:\n      bind: localhost\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:1:12: node_name: expected a name of 1 to 128 characters from A-Z, a-z, 0-9, "
            "'_', '.' and '-', got 'my node'",
            "t.yaml:5:13: receivers.syslog.udp.bind: expected an IP address such as 0.0.0.0 or "
            "::, got 'localhost'",
        });
  r = load("storage:\n  path: {a: 1}\n");
  CHECK(error_lines(r) == lines{"t.yaml:2:9: storage.path: expected a string, got a mapping"});
}

TEST_CASE("interpolation in values") {
  const auto env = env_of({{"HOME", "/home/tester"},
                           {"PORT", "6000"},
                           {"DIR", "/srv"},
                           {"EMPTY", ""},
                           {"TYPE", "user"},
                           {"YAMLISH", "[a, b]"}});
  SECTION("set, default, escape and several references") {
    const load_result r = load(
        "data_dir: ${DIR}/seerflow\n"
        "receivers:\n  syslog:\n    udp:\n      port: ${PORT}\n    tcp:\n"
        "      port: ${TCP_PORT:-7000}\n"
        "storage:\n  path: ${DIR}/$${literal}/${EMPTY:-db}.sqlite\n"
        "runtime:\n  log_level: ${LEVEL:-debug}\n",
        env);
    CHECK(error_lines(r).empty());
    CHECK(r.value.data_dir == "/srv/seerflow");
    CHECK(r.value.receivers.syslog.udp.port == 6000);
    CHECK(r.value.receivers.syslog.tcp.port == 7000);
    CHECK(r.value.storage.path == "/srv/${literal}/db.sqlite");
    CHECK(r.value.runtime.log_level == "debug");
  }
  SECTION("in a list element") {
    const load_result r = load("entities:\n  types: [ip, '${TYPE}', \"${OTHER:-host}\"]\n", env);
    CHECK(r.ok());
    CHECK(r.value.entities.types == std::vector<std::string>{"ip", "user", "host"});
  }
  SECTION("unset variable, unterminated reference, empty value") {
    const load_result r = load(
        "node_name: ${NODE}\n"
        "storage:\n  path: /x/${DIR\n"
        "entities:\n  types: [ip, '${MISSING}']\n"
        "pipeline:\n  credits: ${EMPTY}\n",
        env);
    CHECK(error_lines(r) ==
          lines{
              "t.yaml:1:12: node_name: environment variable NODE is not set (write "
              "${NODE:-default} to give a fallback)",
              "t.yaml:3:9: storage.path: unterminated '${' (write '$${' for a literal '${')",
              "t.yaml:5:15: entities.types[1]: environment variable MISSING is not set (write "
              "${MISSING:-default} to give a fallback)",
              "t.yaml:7:12: pipeline.credits: expected an integer, got ''",
          });
  }
  SECTION("the result is text, never YAML") {
    const load_result r = load("storage:\n  path: ${YAMLISH}\n", env);
    CHECK(r.ok());
    CHECK(r.value.storage.path == "[a, b]");
  }
  SECTION("keys are not interpolated") {
    const load_result r = load("${PORT}: 1\n", env);
    CHECK(error_lines(r) == lines{"t.yaml:1:1: ${PORT}: unknown key"});
  }
}

TEST_CASE("unknown keys, with a suggestion when one is close") {
  const load_result r = load(
      "pipline:\n  batch_size: 5\n"
      "receivers:\n  syslog:\n    udp:\n      prot: 1\n"
      "pipeline:\n  batch_linger_ms: 5\n  bogus_setting: 1\n"
      "entites: {}\n"
      "supervison: {}\n");
  CHECK(error_lines(r) == lines{
                              "t.yaml:1:1: pipline: unknown key; did you mean 'pipeline'?",
                              "t.yaml:6:7: receivers.syslog.udp.prot: unknown key; did you mean "
                              "'receivers.syslog.udp.port'?",
                              "t.yaml:8:3: pipeline.batch_linger_ms: unknown key; did you mean "
                              "'pipeline.batch_linger'?",
                              "t.yaml:9:3: pipeline.bogus_setting: unknown key",
                              "t.yaml:10:1: entites: unknown key; did you mean 'entities'?",
                              "t.yaml:11:1: supervison: unknown key; did you mean 'supervision'?",
                          });
}

TEST_CASE("dotted keys and sections that are not mappings") {
  const load_result r = load("pipeline.batch_size: 5\npipeline: 5\nparse: [a]\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:1:1: pipeline.batch_size: dotted keys are not read; nest the key under its "
            "section",
            "t.yaml:2:11: pipeline: expected a mapping (the keys of section pipeline), got a "
            "scalar",
            "t.yaml:3:8: parse: expected a mapping (the keys of section parse), got a sequence",
        });
}

TEST_CASE("every error of a file is reported in one pass, in file order") {
  const load_result r = load(
      "node_name: ok\n"
      "pipeline:\n"
      "  batch_size: 0\n"
      "  credits: lots\n"
      "parse:\n"
      "  timezone: Mars/Olympus\n"
      "  invalid_utf8: ignore\n"
      "unknown_section:\n"
      "  x: 1\n"
      "drain:\n"
      "  similarity: 2\n"
      "  depth: 6\n");
  CHECK(error_lines(r).size() == 6);
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:3:15: pipeline.batch_size: '0' is out of range (1..1048576)",
            "t.yaml:4:12: pipeline.credits: expected an integer, got 'lots'",
            "t.yaml:6:13: parse.timezone: expected UTC, local or a UTC offset such as +05:30 or "
            "-0800 (at most 14:00), got 'Mars/Olympus'",
            "t.yaml:7:17: parse.invalid_utf8: expected one of repair|reject, got 'ignore'",
            "t.yaml:8:1: unknown_section: unknown key",
            "t.yaml:11:15: drain.similarity: '2' is out of range (0..1)",
        });
  // Valid keys around the errors still apply.
  CHECK(r.value.node_name == "ok");
  CHECK(r.value.drain.depth == 6);
}

TEST_CASE("a flood of errors is cut at 100") {
  std::string text = "entities:\n  types: [";
  for (int i = 0; i < 500; ++i) text += "ip, ";
  text += "ip]\n";
  const load_result r = load(text);
  REQUIRE(r.errors.size() == 101);
  CHECK(to_string(r.errors[0]) == "t.yaml:2:15: entities.types[1]: 'ip' is listed twice");
  CHECK(to_string(r.errors[100]) == "t.yaml: 400 more errors not shown");
}

TEST_CASE("duplicate keys are reported") {
  const load_result r = load("node_name: a\npipeline:\n  credits: 4\n  credits: 8\nnode_name: b\n");
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:4:3: pipeline.credits: duplicate key (first defined at line 3, column 3)",
            "t.yaml:5:1: node_name: duplicate key (first defined at line 1, column 1)",
        });
  CHECK(r.value.node_name == "a");  // the first definition counts
  CHECK(r.value.pipeline.credits == 4);
}

TEST_CASE("malformed YAML, non-mapping documents and keys") {
  CHECK(error_lines(load("pipeline: [1, 2\n")) ==
        lines{"t.yaml:2:1: invalid YAML: end of sequence flow not found"});
  CHECK(error_lines(load("pipeline:\n  credits: 4\n bad indent: 1\n")).size() == 1);
  CHECK(error_lines(load("- a\n- b\n")) ==
        lines{"t.yaml:1:1: the top level must be a mapping of keys such as 'receivers:', got a "
              "sequence"});
  CHECK(error_lines(load("just a sentence\n")) ==
        lines{"t.yaml:1:1: the top level must be a mapping of keys such as 'receivers:', got a "
              "scalar"});
  CHECK(error_lines(load("? [a, b]\n: 1\n")) ==
        lines{"t.yaml:1:3: keys must be plain scalars, got a sequence"});
  CHECK(error_lines(load("node_name: a\n---\nnode_name: b\n")) ==
        lines{"t.yaml:3:1: the file holds more than one YAML document ('---'); a config file is "
              "a single document"});
}

TEST_CASE("aliases are refused, billion-laughs input stays cheap") {
  CHECK(error_lines(load("pipeline: &p {credits: 4}\nparse: *p\n")) ==
        lines{"t.yaml:2:8: parse: YAML aliases are not supported (*p); write it out"});
  CHECK(error_lines(load("node_name: &n edge\nstorage:\n  path: *n\n")) ==
        lines{"t.yaml:3:9: storage.path: YAML aliases are not supported (*n); write the value "
              "out in full"});

  // Ten levels of ten references: 10^10 nodes if expanded. Under unknown keys it is never
  // walked; as supervision args it is refused at the first alias.
  std::string laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += (j ? ", " : "") + prev;
    laughs += "]\n";
  }
  const load_result r = load(laughs);
  REQUIRE(r.errors.size() == 10);
  CHECK(to_string(r.errors[0]) == "t.yaml:1:1: a0: unknown key");

  const load_result r2 = load(laughs +
                              "supervision:\n  name: root\n  children:\n    - name: x\n"
                              "      kind: k\n      args: *a9\n");
  CHECK(error_lines(r2).at(10) ==
        "t.yaml:16:13: supervision.children[0].args: YAML aliases are not supported (*a9); "
        "write the value out");
}

TEST_CASE("binary, non-UTF-8, deeply nested and oversized input is refused") {
  CHECK(error_lines(load(std::string("\x7f"
                                     "ELF\x02\x01\x01\0\0\0",
                                     10))) ==
        lines{"t.yaml:1:8: the file contains a NUL byte: it is binary, not YAML text"});
  CHECK(error_lines(load("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f")) ==
        lines{"t.yaml: the file is mostly control characters: it is binary, not YAML text"});
  CHECK(error_lines(load("node_name: x\nstorage:\n  path: caf\xE9\n")) ==
        lines{"t.yaml:3:12: invalid UTF-8 (byte 0xE9): a config file must be UTF-8 text"});
  // A UTF-8 byte order mark is fine.
  CHECK(load("\xEF\xBB\xBFnode_name: bom\n").value.node_name == "bom");

  CHECK(error_lines(load(std::string(100, '[') + std::string(100, ']'))) ==
        lines{"t.yaml:1:65: collections are nested more than 64 levels deep"});
  // yaml-cpp reads unclosed brackets as alternating sequences and mappings.
  const load_result unclosed = load(std::string(100000, '['));
  REQUIRE(unclosed.errors.size() == 1);
  CHECK(unclosed.errors[0].message == "collections are nested more than 64 levels deep");
  std::string nested;
  for (int i = 0; i < 70; ++i) nested += std::string(i * 2, ' ') + "k" + std::to_string(i) + ":\n";
  CHECK(error_lines(load(nested)) ==
        lines{"t.yaml:65:129: collections are nested more than 64 levels deep"});

  std::string many = "x: [";
  for (int i = 0; i < 200001; ++i) many += "1,";
  many += "1]\n";
  CHECK(error_lines(load(many)) ==
        lines{"t.yaml:1:399999: the document has more than 200000 YAML nodes; a Seerflow config "
              "is far smaller"});

  const std::string huge = "node_name: " + std::string(5u << 20, 'a') + "\n";
  CHECK(error_lines(load(huge)) ==
        lines{"t.yaml: the file is larger than 4194304 bytes, the most a config file may hold"});
}

TEST_CASE("load_file reads a file and names it in errors") {
  const auto dir = std::filesystem::temp_directory_path() / "seerflow_config_loader_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "seerflow.yaml").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "node_name: from-file\npipeline:\n  credits: none\n";
  }
  const load_result r = load_file(path, test_env());
  CHECK(r.value.origin == path);
  CHECK(r.value.node_name == "from-file");
  CHECK(error_lines(r) == lines{path + ":3:12: pipeline.credits: expected an integer, got 'none'"});

  const std::string missing = (dir / "missing.yaml").string();
  const load_result m = load_file(missing, test_env());
  CHECK(error_lines(m) == lines{missing + ": cannot open: No such file or directory"});
  CHECK(m.value.origin == missing);
  CHECK(m.value.node_name == "local");

  CHECK(error_lines(load_file(dir.string(), test_env())) ==
        lines{dir.string() + ": cannot read: it is a directory"});

  {
    std::ofstream out(path, std::ios::binary);
    out << "node_name: " << std::string(5u << 20, 'a') << "\n";
  }
  CHECK(error_lines(load_file(path, test_env())) ==
        lines{path + ": the file is larger than 4194304 bytes, the most a config file may hold"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("data_dir resolution order") {
  auto resolved = [](std::map<std::string, std::string> vars, const std::string& yaml = "") {
    return load(yaml, env_of(std::move(vars))).value;
  };
  const std::map<std::string, std::string> all = {
      {"SEERFLOW_DATA_DIR", "/data/sf"}, {"XDG_DATA_HOME", "/xdg"}, {"HOME", "/home/u"}};
  CHECK(resolved(all).data_dir == "/data/sf");
  CHECK(resolved(all).storage.path == "/data/sf/seerflow.db");
  CHECK(resolved({{"SEERFLOW_DATA_DIR", ""}, {"XDG_DATA_HOME", "/xdg"}, {"HOME", "/home/u"}})
            .data_dir == "/xdg/seerflow");
  CHECK(resolved({{"XDG_DATA_HOME", "/xdg/"}, {"HOME", "/home/u"}}).data_dir == "/xdg/seerflow");
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  CHECK(resolved({{"XDG_DATA_HOME", "rel/xdg"}, {"HOME", "/home/u"}}).data_dir ==
        "/home/u/.local/share/seerflow");
  CHECK(resolved({{"HOME", "/home/u"}}).data_dir == "/home/u/.local/share/seerflow");
  CHECK(resolved({}).data_dir == "./seerflow-data");
  CHECK(resolved({}).storage.path == "./seerflow-data/seerflow.db");
  CHECK(resolved({{"SEERFLOW_DATA_DIR", "/data/"}}).storage.path == "/data/seerflow.db");

  // A configured value wins over the environment.
  const settings s = resolved(all, "data_dir: /etc-data\n");
  CHECK(s.data_dir == "/etc-data");
  CHECK(s.storage.path == "/etc-data/seerflow.db");
  const settings p = resolved(all, "storage:\n  path: /db/x.db\n");
  CHECK(p.data_dir == "/data/sf");
  CHECK(p.storage.path == "/db/x.db");

  settings manual;
  resolve_paths(manual, env_of({{"HOME", "/h"}}));
  CHECK(manual.data_dir == "/h/.local/share/seerflow");
  CHECK(manual.storage.path == "/h/.local/share/seerflow/seerflow.db");
  CHECK(default_settings(env_of({})).data_dir == "./seerflow-data");
}

TEST_CASE("drain masks: known kinds only, custom masks must be valid RE2") {
  auto r = load_string("drain:\n  masks: [ipv4, number]\n  custom_masks: ['ticket-[0-9]+']\n",
                       "masks.yaml", test_env());
  REQUIRE(r.errors.empty());
  CHECK(r.value.drain.masks == std::vector<std::string>{"ipv4", "number"});
  CHECK(r.value.drain.custom_masks == std::vector<std::string>{"ticket-[0-9]+"});
  auto bad = load_string("drain:\n  masks: [ipv4, nope]\n  custom_masks: ['(open', '']\n",
                         "bad.yaml", test_env());
  REQUIRE(bad.errors.size() == 3);
  CHECK(to_string(bad.errors[0]).rfind("bad.yaml:2:17: drain.masks[1]: expected one of ipv4|", 0) ==
        0);
  CHECK(to_string(bad.errors[1]) ==
        "bad.yaml:3:18: drain.custom_masks[0]: not a valid RE2 pattern: missing ): (open");
  CHECK(to_string(bad.errors[2]) ==
        "bad.yaml:3:27: drain.custom_masks[1]: expected an RE2 pattern, got an empty text");
}

TEST_CASE("receivers.files: defaults, values, and errors with file and line") {
  const settings defaults;
  CHECK_FALSE(defaults.receivers.files.enabled);
  CHECK(defaults.receivers.files.source == "files");
  CHECK(defaults.receivers.files.start_at == "end");
  CHECK(defaults.receivers.files.format == "raw");
  load_result r = load(
      "receivers:\n"
      "  files:\n"
      "    enabled: true\n"
      "    paths: [/var/log/*.log, '/srv/**/app.log']\n"
      "    start_at: beginning\n"
      "    poll_interval: 50ms\n"
      "    checkpoint_interval: 0ms\n"
      "    multiline: {start_pattern: '^\\d{4}-', max_lines: 100, flush_timeout: 2s}\n");
  REQUIRE(r.ok());
  const auto& f = r.value.receivers.files;
  CHECK(f.enabled);
  CHECK(f.paths == std::vector<std::string>{"/var/log/*.log", "/srv/**/app.log"});
  CHECK(f.start_at == "beginning");
  CHECK(f.poll_interval_ms == 50);
  CHECK(f.checkpoint_interval_ms == 0);
  CHECK(f.multiline.start_pattern == "^\\d{4}-");
  CHECK(f.multiline.max_lines == 100);
  CHECK(f.multiline.flush_timeout_ms == 2000);

  load_result bad = load(
      "receivers:\n"
      "  files:\n"
      "    paths: [relative/*.log]\n"
      "    start_at: middle\n"
      "    multiline:\n"
      "      continuation_pattern: '(unclosed'\n");
  const auto errs = error_lines(bad);
  REQUIRE(errs.size() == 3);
  CHECK(errs[0].find("t.yaml:3:") == 0);
  CHECK(errs[0].find("expected an absolute path") != std::string::npos);
  CHECK(errs[1].find("t.yaml:4:15: receivers.files.start_at") == 0);
  CHECK(errs[2].find("t.yaml:6:29: receivers.files.multiline.continuation_pattern: not a valid "
                     "RE2 pattern") == 0);
}
