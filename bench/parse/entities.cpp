// Entity extraction throughput on the eight Loghub samples: each file's 2,000 lines decoded
// once (RFC 3164 host/tag/message for the syslog files, the whole line for the others), then
// extract() over them repeated to >= 1M lines per system. Also: a cache-defeating run where
// every line carries new entities, the cost of one uncached uuid5, and logsource inference.
// Prints one JSON object.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/parse/entity_extractor.hpp"
#include "runtime/parse/logsource_inference.hpp"
#include "runtime/parse/uuid5.hpp"

using namespace seerflow;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// CPU time of this thread: on a shared machine, wall time also counts other people's work.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

model::event decode(const std::string& system, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  model::event ev;
  if (system == "Linux" || system == "OpenSSH") {
    std::size_t p = 0;
    for (int k = 0; k < 3; ++k) {
      while (p < line.size() && line[p] == ' ') ++p;
      while (p < line.size() && line[p] != ' ') ++p;
    }
    while (p < line.size() && line[p] == ' ') ++p;
    const std::size_t h = p;
    while (p < line.size() && line[p] != ' ') ++p;
    ev.host = line.substr(h, p - h);
    const std::size_t c = line.find(": ", p);
    if (c == std::string::npos) {
      ev.message = line.substr(p);
    } else {
      ev.app = line.substr(p + 1, c - p - 1);
      ev.message = line.substr(c + 2);
    }
    ev.facility = 4;
  } else {
    ev.message = std::move(line);
  }
  return ev;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path data = SEERFLOW_SHARED_DATA_DEFAULT;
  if (const char* env = std::getenv("SEERFLOW_SHARED_DATA")) data = env;
  if (argc > 1) data = argv[1];
  const std::size_t target_lines = argc > 2 ? std::stoul(argv[2]) : 1'000'000;

  nlohmann::json result;
  result["benchmark"] = "parse/entities";
  result["target_lines_per_system"] = target_lines;
  double total_lines = 0, total_seconds = 0, total_entities = 0;
  std::uint64_t checksum = 0;

  for (const std::string system :
       {"OpenSSH", "Linux", "Apache", "HDFS", "Hadoop", "Zookeeper", "Spark", "HealthApp"}) {
    std::ifstream in(data / "loghub" / system / (system + "_2k.log"));
    if (!in) {
      std::cerr << "missing " << (data / "loghub" / system).string() << "\n";
      return 2;
    }
    std::vector<model::event> events;
    std::string line;
    while (std::getline(in, line)) events.push_back(decode(system, line));

    parse::entity_extractor x;
    std::vector<model::entity_ref> out;
    std::size_t lines = 0, entities = 0;
    const auto t0 = clock_type::now();
    const double c0 = cpu_seconds();
    while (lines < target_lines) {
      for (const auto& ev : events) {
        out.clear();
        x.extract(ev, out);
        entities += out.size();
        checksum += out.empty() ? 0 : out.back().id[0];
      }
      lines += events.size();
    }
    const double s = seconds_since(t0);
    const double cpu = cpu_seconds() - c0;
    result["systems"][system] = {{"lines", lines},
                                 {"wall_seconds", s},
                                 {"cpu_seconds", cpu},
                                 {"lines_per_cpu_s", lines / cpu},
                                 {"lines_per_wall_s", lines / s},
                                 {"ns_per_line_cpu", cpu * 1e9 / lines},
                                 {"entities_per_line", double(entities) / lines}};
    total_lines += lines;
    total_seconds += cpu;
    total_entities += entities;
  }
  result["all"] = {{"lines", total_lines},
                   {"cpu_seconds", total_seconds},
                   {"lines_per_cpu_s", total_lines / total_seconds},
                   {"entities_per_line", total_entities / total_lines}};

  {
    // Every line names a new user and a new address: each id is a cache miss (two uuid5s).
    std::vector<model::event> events(100'000);
    for (std::size_t i = 0; i < events.size(); ++i) {
      events[i].host = "gw";
      events[i].app = "sshd";
      events[i].message = "Failed password for invalid user u" + std::to_string(i) + " from 10." +
                          std::to_string(i >> 16 & 255) + "." + std::to_string(i >> 8 & 255) + "." +
                          std::to_string(i & 255) + " port 22 ssh2";
    }
    parse::entity_extractor x;
    std::vector<model::entity_ref> out;
    std::size_t entities = 0;
    const double c0 = cpu_seconds();
    for (const auto& ev : events) {
      out.clear();
      x.extract(ev, out);
      entities += out.size();
    }
    const double s = cpu_seconds() - c0;
    result["all_new_entities"] = {{"lines", events.size()},
                                  {"lines_per_cpu_s", events.size() / s},
                                  {"entities_per_line", double(entities) / events.size()}};
  }
  {
    const std::size_t n = 1'000'000;
    std::string name = "10.0.0.0";
    const double c0 = cpu_seconds();
    for (std::size_t i = 0; i < n; ++i) {
      name.back() = static_cast<char>('0' + i % 10);
      checksum += parse::uuid5(parse::entity_namespace(model::entity_type::ip), name)[3];
    }
    result["uuid5_ns_cpu"] = (cpu_seconds() - c0) * 1e9 / n;
  }
  {
    parse::logsource_inference li;
    std::vector<model::event> events;
    for (const std::string system : {"OpenSSH", "Linux", "Apache"}) {
      std::ifstream in(data / "loghub" / system / (system + "_2k.log"));
      std::string line;
      while (std::getline(in, line)) events.push_back(decode(system, line));
    }
    std::size_t n = 0;
    const double c0 = cpu_seconds();
    while (n < 1'000'000) {
      for (const auto& ev : events) checksum += li.infer(ev).service.size();
      n += events.size();
    }
    result["logsource_infer_per_cpu_s"] = n / (cpu_seconds() - c0);
  }
  result["checksum"] = checksum;
  std::cout << result.dump(2) << std::endl;
  return 0;
}
