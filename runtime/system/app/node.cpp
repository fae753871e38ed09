#include "runtime/system/app/node.hpp"

#include "actors/sigma_rules.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <pthread.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "actors/catalog.hpp"
#include "actors/supervisor.hpp"
#include "messages/atoms.hpp"
#include "messages/type_registry.hpp"
#include "runtime/system/cluster_transport.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::app {

struct node::root_handle {
  caf::actor actor;
};

namespace {

int scheduler_threads(const config::settings& cfg) {
  if (cfg.runtime.scheduler_threads > 0) return cfg.runtime.scheduler_threads;
  const auto hw = std::thread::hardware_concurrency();
  return hw == 0 ? 2 : static_cast<int>(hw);
}

}  // namespace

std::size_t count_receivers(const config::tree_node& tree, const config::settings& cfg) {
  if (tree.kind == "syslog_udp") return cfg.receivers.syslog.udp.enabled ? 1 : 0;
  if (tree.kind == "syslog_tcp") return cfg.receivers.syslog.tcp.enabled ? 1 : 0;
  if (tree.kind == "webhook")
    return cfg.receivers.webhooks.enabled && !cfg.receivers.webhooks.endpoints.empty() ? 1 : 0;
  // The console, when enabled, reports its endpoint like a receiver.
  if (tree.kind == "console") return cfg.console.enabled ? 1 : 0;
  // The cluster actor reports its TLS listener like a receiver.
  if (tree.kind == "cluster") return cfg.cluster.enabled ? 1 : 0;
  // OTLP receivers listen only when their transport is enabled; idle ones publish no endpoint.
  if (tree.kind == "otlp_grpc") return cfg.receivers.otlp.grpc.enabled ? 1 : 0;
  if (tree.kind == "otlp_http") return cfg.receivers.otlp.http.enabled ? 1 : 0;
  std::size_t n = 0;
  for (const auto& c : tree.children) n += count_receivers(c, cfg);
  return n;
}

node::node(config::settings cfg, system::run_mode mode, system::analyze_options analyze,
           const actors::catalog* cat)
    : cfg_(std::move(cfg)),
      metrics_(std::make_unique<metrics::registry>()),
      io_(std::make_unique<boost::asio::io_context>(cfg_.runtime.io_threads)),
      sys_cfg_(std::make_unique<caf::actor_system_config>()),
      catalog_(cat ? cat : &actors::builtin_catalog()),
      root_(std::make_unique<root_handle>()) {
  messages::register_message_types(*sys_cfg_);
  // The sharing policy: CAF 0.17's work stealing collapses when one actor fans out to many
  // (STACK.md §5.2); sharing holds 7 M events/s at 100k actors with batching.
  if (cfg_.runtime.scheduler_policy == "stealing")
    sys_cfg_->set("scheduler.policy", caf::atom("stealing"));
  else
    sys_cfg_->set("scheduler.policy", caf::atom("sharing"));
  sys_cfg_->set("scheduler.max-threads", scheduler_threads(cfg_));
  // Node mode only: a standalone node loads no network module at all.
  if (cfg_.cluster.enabled) system::enable_cluster_transport(*sys_cfg_, cfg_.cluster);
  sys_ = std::make_unique<caf::actor_system>(*sys_cfg_);
  registry_ = std::make_unique<system::actor_registry>(*metrics_, cfg_.pipeline.credits);
  ctx_.sys = sys_.get();
  ctx_.cfg = &cfg_;
  ctx_.io = io_.get();
  ctx_.metrics = metrics_.get();
  ctx_.registry = registry_.get();
  ctx_.mode = mode;
  ctx_.analyze = analyze;
}

node::~node() {
  // Whatever still waits for pipeline credit must give up now, or receivers never finish.
  for (auto& h : registry_->handoffs()) h->gate()->close();
  if (root_->actor) {
    caf::anon_send_exit(root_->actor, caf::exit_reason::user_shutdown);
    wait_root(std::chrono::seconds(10));
  }
  // Receivers finish stopping on the I/O threads, so those keep running until every actor is
  // done; handles held by the registry must be released before the actor system goes.
  sys_->await_all_actors_done();
  io_work_.reset();
  io_->stop();
  for (auto& t : io_threads_) t.join();
  root_.reset();
  registry_.reset();
}

void node::boot(const config::tree_node& tree) {
  actors::load_and_install_sigma_rules(cfg_, ctx_.mode == system::run_mode::analyze);
  started_ = std::chrono::steady_clock::now();
  using guard_t = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  io_work_ = std::make_shared<guard_t>(io_->get_executor());
  for (int i = 0; i < std::max(1, cfg_.runtime.io_threads); ++i)
    io_threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "seerflow-io");
      io_->run();
    });
  auto root = sys_->spawn(actors::supervisor_impl, &ctx_, catalog_, &tree, std::string{});
  root->attach_functor([this](const caf::error& reason) {
    std::lock_guard<std::mutex> guard(mtx_);
    root_done_ = true;
    if (reason && reason != caf::exit_reason::normal) root_failure_ = caf::to_string(reason);
    cv_.notify_all();
  });
  root_->actor = root;
  registry_->put({tree.name, "supervisor", "", cfg_.node_name}, root);
}

bool node::wait_root(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mtx_);
  return cv_.wait_for(lock, timeout, [this] { return root_done_; });
}

bool node::root_exited() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return root_done_;
}

std::string node::root_failure() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return root_failure_;
}

bool node::shutdown(std::chrono::milliseconds timeout) {
  if (!root_->actor) return true;
  caf::anon_send(root_->actor, messages::shutdown_atom::value);
  if (wait_root(timeout)) return true;
  log::error("node", "ordered shutdown did not finish within ", timeout.count(),
             " ms; stopping everything now");
  caf::anon_send_exit(root_->actor, caf::exit_reason::kill);
  return wait_root(std::chrono::seconds(10));
}

bool node::wait_endpoints(std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (registry_->endpoints().size() < count) {
    if (std::chrono::steady_clock::now() > deadline || root_exited()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

session_summary node::summary() const {
  session_summary s;
  s.events = metrics_->total("source_events");
  s.anomalies = metrics_->total("alerts_raised");
  s.dropped = metrics_->total("records_dropped");
  s.rejected = metrics_->total("records_rejected");
  std::map<std::string, std::string> losses;
  for (const auto& smp : metrics_->snapshot()) {
    if ((smp.name == "records_dropped" || smp.name == "records_rejected") && smp.value > 0) {
      std::string where, reason;
      for (const auto& [k, v] : smp.tags) {
        if (k == "reason")
          reason = v;
        else
          where += (where.empty() ? "" : " ") + v;
      }
      auto& line = losses[(smp.name == "records_dropped" ? "dropped by " : "rejected by ") + where];
      line += (line.empty() ? "" : ", ") + reason + " " + std::to_string(smp.value);
    }
    if (smp.name == "store_retention_deleted" && smp.value > 0)
      for (const auto& [k, v] : smp.tags)
        if (k == "kind") s.retention.push_back(v + " " + std::to_string(smp.value));
    if (smp.name != "directory_known") continue;
    for (const auto& [k, v] : smp.tags) {
      if (k != "kind") continue;
      if (v == "template") s.templates = static_cast<std::uint64_t>(smp.value);
      if (v == "entity") s.entities = static_cast<std::uint64_t>(smp.value);
    }
  }
  for (auto& [where, reasons] : losses) s.losses.push_back(where + ": " + reasons);
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return s;
}

std::string session_summary::text() const {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(2);
  os << "session summary: events processed " << events << ", anomalies " << anomalies
     << ", unique templates " << templates << ", entities " << entities << ", dropped " << dropped
     << ", rejected " << rejected << ", duration " << seconds << " s, "
     << static_cast<std::uint64_t>(events_per_second()) << " events/s";
  for (const auto& l : losses) os << "\n  " << l;
  if (!retention.empty()) {
    os << "\n  deleted by retention:";
    for (std::size_t i = 0; i < retention.size(); ++i) os << (i ? ", " : " ") << retention[i];
  }
  return os.str();
}

std::string session_summary::json() const {
  return nlohmann::ordered_json{{"events", events},
                                {"anomalies", anomalies},
                                {"unique_templates", templates},
                                {"entities", entities},
                                {"dropped", dropped},
                                {"rejected", rejected},
                                {"duration_s", seconds},
                                {"events_per_s", events_per_second()},
                                {"losses", losses},
                                {"retention_deleted", retention}}
      .dump();
}

}  // namespace seerflow::app
