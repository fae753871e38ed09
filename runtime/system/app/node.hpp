#pragma once
// One Seerflow node in this process: the actor system (scheduler per config), the Asio I/O
// threads, the registries, and the root supervisor built from a supervision tree. `start` and
// `analyze` both run through it, so a replay takes exactly the live actor pipeline.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/config/settings.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/system/actor_registry.hpp"
#include "runtime/system/node_context.hpp"

namespace caf {
class actor_system;
class actor_system_config;
}  // namespace caf

namespace boost::asio {
class io_context;
}

namespace seerflow::actors {
class catalog;
}

namespace seerflow::app {

struct session_summary {
  std::uint64_t events = 0;
  std::uint64_t anomalies = 0;
  std::uint64_t templates = 0;
  std::uint64_t entities = 0;
  std::uint64_t dropped = 0;
  std::uint64_t rejected = 0;
  double seconds = 0;
  // Every non-zero drop and rejection counter, by stage and reason ("rejected by syslog-tcp:
  // oversized 3"), so that nothing lost is silent.
  std::vector<std::string> losses;
  // Rows deleted by retention (storage.retention.*), by kind ("events 1200"); empty when none.
  std::vector<std::string> retention;
  double events_per_second() const {
    return seconds > 0 ? static_cast<double>(events) / seconds : 0;
  }
  std::string text() const;
  std::string json() const;
};

class node {
 public:
  node(config::settings cfg, system::run_mode mode, system::analyze_options analyze = {},
       const actors::catalog* cat = nullptr);
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  // Starts the I/O threads and the root supervisor of `tree` (which must outlive the node).
  void boot(const config::tree_node& tree);

  // Blocks until the root supervisor has exited or `timeout` passes; true if it exited.
  bool wait_root(std::chrono::milliseconds timeout);
  // The root's exit reason, as text ("" when it exited normally).
  std::string root_failure() const;
  bool root_exited() const;
  // Ordered shutdown of the whole tree (newest first); returns true if it completed in time.
  bool shutdown(std::chrono::milliseconds timeout);
  // Waits until every receiver leaf of the tree has registered its endpoint.
  bool wait_endpoints(std::size_t count, std::chrono::milliseconds timeout);

  session_summary summary() const;

  system::node_context& context() { return ctx_; }
  system::actor_registry& registry() { return *registry_; }
  metrics::registry& metrics() { return *metrics_; }
  caf::actor_system& actor_system() { return *sys_; }
  boost::asio::io_context& io() { return *io_; }
  const config::settings& settings() const { return cfg_; }

 private:
  // Declaration order is destruction order reversed: everything holding actor handles
  // (registry, root) must go before the actor system does.
  config::settings cfg_;
  std::unique_ptr<metrics::registry> metrics_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<caf::actor_system_config> sys_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::unique_ptr<system::actor_registry> registry_;
  std::vector<std::thread> io_threads_;
  std::shared_ptr<void> io_work_;
  system::node_context ctx_;
  const actors::catalog* catalog_;
  struct root_handle;
  std::unique_ptr<root_handle> root_;
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  bool root_done_ = false;
  std::string root_failure_;
};

// Counts the leaves of a tree whose kind is a receiver (they register endpoints when bound).
// Webhook and OTLP receivers and the console count when they will listen; idle ones do not.
std::size_t count_receivers(const config::tree_node& tree, const config::settings& cfg);

}  // namespace seerflow::app
