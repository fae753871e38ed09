// Decoder throughput on the loghub sample logs, each repeated to at least 1M records per
// measurement. Prints one JSON object: records/s and MB/s per decoder and input, best of 3 runs.
// Usage: bench_parse_decode [loghub-dir]   (default: <repo>/../shared/data/loghub)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/parse/jsonl_decoder.hpp"
#include "runtime/parse/raw_decoder.hpp"
#include "runtime/parse/syslog_decoder.hpp"
#include "runtime/util/civil_time.hpp"

namespace {

using namespace seerflow;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t min_records = 1'000'000;
const char* const logs[] = {"Apache", "HDFS",    "Hadoop", "HealthApp",
                            "Linux",  "OpenSSH", "Spark",  "Zookeeper"};

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

using decoder = bool (*)(std::string_view, const parse::decode_options&, model::event&,
                         parse::rejection&, parse::decode_notes&);

// Runs `decode` over `lines` repeated to >= min_records. `fresh` decodes each record into a new
// event (as a source actor filling a batch does); otherwise one event is reused.
nlohmann::json measure(const std::vector<std::string>& lines, decoder decode, bool fresh = false) {
  parse::decode_options opts;
  opts.time.reference_ns = util::to_unix_ns(2017, 12, 1, 0, 0, 0);
  std::size_t bytes_per_pass = 0;
  for (const auto& l : lines) bytes_per_pass += l.size();
  const std::size_t passes = (min_records + lines.size() - 1) / lines.size();
  double best = 1e100;
  std::size_t rejected = 0, with_time = 0;
  for (int run = 0; run < 3; ++run) {
    rejected = with_time = 0;
    model::event reused;
    parse::rejection why;
    parse::decode_notes notes;
    const auto start = clock_type::now();
    for (std::size_t p = 0; p < passes; ++p) {
      for (const auto& l : lines) {
        if (fresh) {
          model::event ev;
          if (!decode(l, opts, ev, why, notes)) ++rejected;
          with_time += ev.time_from_log;
        } else {
          if (!decode(l, opts, reused, why, notes)) ++rejected;
          with_time += reused.time_from_log;
        }
      }
    }
    const double s = std::chrono::duration<double>(clock_type::now() - start).count();
    best = std::min(best, s);
  }
  const double records = static_cast<double>(passes * lines.size());
  return {{"records", passes * lines.size()},
          {"seconds", best},
          {"records_per_s", std::llround(records / best)},
          {"mb_per_s", static_cast<double>(passes * bytes_per_pass) / best / 1e6},
          {"rejected", rejected},
          {"with_time_from_log", with_time}};
}

// OpenSSH lines re-framed as RFC 5424 with structured data, as a modern sender would send them.
std::vector<std::string> as_rfc5424(const std::vector<std::string>& ssh) {
  std::vector<std::string> out;
  int i = 0;
  for (const auto& l : ssh) {
    const auto colon = l.find("]: ");
    const std::string msg = colon == std::string::npos ? l : l.substr(colon + 3);
    out.push_back("<38>1 2017-12-10T06:55:" + std::to_string(10 + i % 50) + ".123456Z LabSZ sshd " +
                  std::to_string(24200 + i % 100) + " - [meta@32473 seq=\"" + std::to_string(i) +
                  "\" src=\"auth\"] " + msg);
    ++i;
  }
  return out;
}

std::vector<std::string> as_jsonl(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  std::int64_t ms = 1'512'888'946'000;
  for (const auto& l : lines) {
    out.push_back(nlohmann::json{
        {"@timestamp", util::format_rfc3339(ms * 1'000'000)},
        {"host", {{"name", "LabSZ"}}},
        {"level", "info"},
        {"message", l},
        {"pid", 24200},
        {"service",
         "sshd"}}.dump());
    ms += 137;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::path(SEERFLOW_SHARED_DATA_DEFAULT) / "loghub";
  std::vector<std::string> all, ssh, linux_lines;
  std::vector<std::pair<std::string, std::vector<std::string>>> by_log;
  for (const char* name : logs) {
    const auto lines = read_lines(dir / name / (std::string(name) + "_2k.log"));
    if (lines.empty()) {
      std::fprintf(stderr, "no lines in %s/%s; pass the loghub directory as argv[1]\n", dir.c_str(),
                   name);
      return 1;
    }
    all.insert(all.end(), lines.begin(), lines.end());
    if (std::string_view(name) == "OpenSSH") ssh = lines;
    if (std::string_view(name) == "Linux") linux_lines = lines;
    by_log.emplace_back(name, lines);
  }
  nlohmann::json result = {
      {"benchmark", "parse/decode"},
      {"data", dir.string()},
      {"syslog_openssh", measure(ssh, parse::decode_syslog)},
      {"syslog_openssh_fresh_event", measure(ssh, parse::decode_syslog, true)},
      {"syslog_linux", measure(linux_lines, parse::decode_syslog)},
      {"syslog_rfc5424_sd", measure(as_rfc5424(ssh), parse::decode_syslog)},
      {"syslog_all8", measure(all, parse::decode_syslog)},
      {"raw_all8", measure(all, parse::decode_raw)},
      {"raw_all8_fresh_event", measure(all, parse::decode_raw, true)},
      {"jsonl_openssh", measure(as_jsonl(ssh), parse::decode_jsonl)},
  };
  for (const auto& [name, lines] : by_log) {
    result["syslog_records_per_s_by_log"][name] =
        measure(lines, parse::decode_syslog)["records_per_s"];
    result["raw_records_per_s_by_log"][name] = measure(lines, parse::decode_raw)["records_per_s"];
  }
  std::puts(result.dump(2).c_str());
  return 0;
}
