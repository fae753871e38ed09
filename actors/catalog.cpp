#include "actors/catalog.hpp"

#include <set>
#include <sstream>
#include <stdexcept>

#include <caf/event_based_actor.hpp>
#include <caf/spawn_options.hpp>

#include "actors/alert_actor.hpp"
#include "actors/alert_sink_actor.hpp"
#include "actors/cluster_actor.hpp"
#include "actors/console_actor.hpp"
#include "actors/directory_actor.hpp"
#include "actors/file_tail_actor.hpp"
#include "actors/graph_actor.hpp"
#include "actors/otlp_receiver_actor.hpp"
#include "actors/printer_actor.hpp"
#include "actors/receiver_actor.hpp"
#include "actors/source_actor.hpp"
#include "actors/store_actor.hpp"
#include "actors/webhook_actor.hpp"

namespace seerflow::actors {

void catalog::add(kind_entry k) {
  kinds_.push_back(std::move(k));
}

const kind_entry* catalog::find(std::string_view name) const {
  for (const auto& k : kinds_)
    if (k.name == name) return &k;
  return nullptr;
}

namespace {

std::string where(const config::tree_node& n) {
  std::ostringstream os;
  os << (n.where.file.empty() ? "<default tree>" : n.where.file) << ':' << n.where.line << ':'
     << n.where.column;
  return os.str();
}

// Errors read like the loader's ("FILE:LINE:COL: key.path: message"), keyed by the node's path
// in the YAML (supervision.children[3].children[1]) at the node's position, so a user sees one
// format and can find the node from either; the node's name is in the message.
void validate_node(const catalog& cat, const config::tree_node& n, const std::string& path,
                   std::vector<std::string>& errors) {
  if (n.kind == "supervisor") {
    for (std::size_t i = 0; i < n.children.size(); ++i)
      validate_node(cat, n.children[i], path + ".children[" + std::to_string(i) + "]", errors);
    return;
  }
  // No kind: the loader could not read it and has already said why.
  if (n.kind.empty()) return;
  const auto* k = cat.find(n.kind);
  if (!k) {
    std::string known;
    for (const auto& e : cat.kinds()) known += (known.empty() ? "" : ", ") + e.name;
    errors.push_back(where(n) + ": " + path + ": unknown actor kind '" + n.kind + "' of '" +
                     n.name + "' (known: supervisor, " + known + ")");
    return;
  }
  for (const auto& [key, value] : n.args) {
    bool ok = false;
    for (const auto& a : k->args) ok |= a == key;
    if (!ok) {
      std::string accepted;
      for (const auto& a : k->args) accepted += (accepted.empty() ? "" : ", ") + a;
      errors.push_back(where(n) + ": " + path + ".args." + key + ": kind '" + n.kind + "' of '" +
                       n.name + "' takes no argument '" + key + "'" +
                       (accepted.empty() ? " (it takes none)" : " (accepted: " + accepted + ")"));
    }
  }
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',' || c == ' ') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

catalog make_builtin() {
  catalog c;
  c.add({"store",
         "the SQLite writer (storage.*); sink of decoded events",
         {},
         [](const spawn_env& env) {
           return caf::actor_cast<caf::actor>(
               env.parent->spawn<caf::detached>(store_actor_impl, env.ctx));
         }});
  c.add({"printer",
         "prints events as NDJSON (seerflow analyze); a sink",
         {},
         [](const spawn_env& env) {
           return caf::actor_cast<caf::actor>(
               env.parent->spawn<caf::detached>(printer_actor_impl, env.ctx));
         }});
  c.add({"alerts", "collects and logs alerts", {}, [](const spawn_env& env) {
           return caf::actor_cast<caf::actor>(env.parent->spawn(alert_actor_impl, env.ctx));
         }});
  c.add({"alert_sink",
         "delivers alerts to one alerts.sinks entry (Slack, Teams, webhook, PagerDuty); args: "
         "sink (its name; one leaf per sink is added to the tree from the config)",
         {"sink"},
         [](const spawn_env& env) {
           const auto sink = arg_or(*env.node, "sink", "");
           if (sink.empty())
             throw std::runtime_error("an alert_sink leaf needs args: {sink: NAME}");
           return caf::actor_cast<caf::actor>(
               env.parent->spawn<caf::detached>(alert_sink_impl, env.ctx, sink));
         }});
  c.add({"graph",
         "the entity graph: relations from the sources, PageRank, Louvain, betweenness and "
         "fan-out on a timer (graph.*), findings to the alert actor",
         {},
         [](const spawn_env& env) {
           return caf::actor_cast<caf::actor>(env.parent->spawn(graph_actor_impl, env.ctx));
         }});
  c.add({"directory",
         "spawns, routes to and passivates template and entity actors",
         {},
         [](const spawn_env& env) {
           return caf::actor_cast<caf::actor>(env.parent->spawn(
               directory_actor_impl, env.ctx, directory_options_from(*env.ctx->cfg)));
         }});
  c.add({"cluster",
         "this node's cluster membership over mutual TLS (cluster.*); added by --node",
         {},
         [](const spawn_env& env) {
           if (!env.ctx->cfg->cluster.enabled)
             throw std::runtime_error(
                 "a cluster leaf needs node mode (seerflow --node, or cluster.enabled: true)");
           return caf::actor_cast<caf::actor>(
               env.parent->spawn(cluster_actor_impl, env.ctx, env.node->name));
         }});
  c.add({"source",
         "decodes, mines templates, extracts entities; args: source (default: the node name), "
         "sinks (default: store, or printer in analyze), directory",
         {"source", "sinks", "directory"},
         [](const spawn_env& env) {
           source_args a;
           a.source_name = arg_or(*env.node, "source", env.node->name);
           const bool analyze = env.ctx->mode == system::run_mode::analyze;
           a.sinks = split_list(arg_or(*env.node, "sinks", analyze ? "printer" : "store"));
           a.directory = arg_or(*env.node, "directory", "directory");
           return caf::actor_cast<caf::actor>(
               env.parent->spawn(source_actor_impl, env.ctx, std::move(a)));
         }});
  c.add({"syslog_udp",
         "syslog over UDP (receivers.syslog.udp); args: source (default receivers.syslog.source)",
         {"source"},
         [](const spawn_env& env) {
           const auto source = arg_or(*env.node, "source", env.ctx->cfg->receivers.syslog.source);
           return env.parent->spawn(syslog_receiver_impl, env.ctx, env.node->name,
                                    receiver_protocol::udp, source);
         }});
  c.add({"syslog_tcp",
         "syslog over TCP (receivers.syslog.tcp); args: source (default receivers.syslog.source)",
         {"source"},
         [](const spawn_env& env) {
           const auto source = arg_or(*env.node, "source", env.ctx->cfg->receivers.syslog.source);
           return env.parent->spawn(syslog_receiver_impl, env.ctx, env.node->name,
                                    receiver_protocol::tcp, source);
         }});
  c.add({"file_tail",
         "tails files (receivers.files; idle unless enabled); args: source (default "
         "receivers.files.source)",
         {"source"},
         [](const spawn_env& env) {
           const auto source = arg_or(*env.node, "source", env.ctx->cfg->receivers.files.source);
           return caf::actor_cast<caf::actor>(
               env.parent->spawn(file_tail_impl, env.ctx, env.node->name, source));
         }});
  c.add({"webhook",
         "webhook endpoints over HTTP(S) (receivers.webhooks; idle unless enabled); args: source "
         "(default receivers.webhooks.source)",
         {"source"},
         [](const spawn_env& env) {
           const auto source = arg_or(*env.node, "source", env.ctx->cfg->receivers.webhooks.source);
           return caf::actor_cast<caf::actor>(
               env.parent->spawn(webhook_impl, env.ctx, env.node->name, source));
         }});
  c.add({"console",
         "the inspection console: HTTP API and web page behind a token (console.*; idle unless "
         "enabled)",
         {},
         [](const spawn_env& env) {
           return caf::actor_cast<caf::actor>(
               env.parent->spawn(console_impl, env.ctx, env.node->name));
         }});
  c.add({"otlp_grpc",
         "OTLP logs over gRPC (receivers.otlp.grpc; idle unless enabled); args: source "
         "(default receivers.otlp.source)",
         {"source"},
         [](const spawn_env& env) {
           const auto source = arg_or(*env.node, "source", env.ctx->cfg->receivers.otlp.source);
           return caf::actor_cast<caf::actor>(env.parent->spawn(
               otlp_receiver_impl, env.ctx, env.node->name, otlp_transport::grpc, source));
         }});
  c.add({"otlp_http",
         "OTLP logs over HTTP, POST /v1/logs (receivers.otlp.http; idle unless enabled); args: "
         "source (default receivers.otlp.source)",
         {"source"},
         [](const spawn_env& env) {
           const auto source = arg_or(*env.node, "source", env.ctx->cfg->receivers.otlp.source);
           return caf::actor_cast<caf::actor>(env.parent->spawn(
               otlp_receiver_impl, env.ctx, env.node->name, otlp_transport::http, source));
         }});
  return c;
}

}  // namespace

std::vector<std::string> catalog::validate(const config::tree_node& root) const {
  std::vector<std::string> errors;
  validate_node(*this, root, "supervision", errors);
  return errors;
}

const catalog& builtin_catalog() {
  static const catalog c = make_builtin();
  return c;
}

std::string arg_or(const config::tree_node& node, const std::string& key, std::string fallback) {
  auto it = node.args.find(key);
  return it == node.args.end() || it->second.empty() ? std::move(fallback) : it->second;
}

}  // namespace seerflow::actors
