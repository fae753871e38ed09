#pragma once
// The catalog: every actor kind a supervision tree may name, with the arguments it accepts and
// the function that spawns it for its supervisor. `seerflow kinds` prints it.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "runtime/config/settings.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct spawn_env {
  system::node_context* ctx = nullptr;
  const config::tree_node* node = nullptr;
  caf::event_based_actor* parent = nullptr;  // the supervisor that spawns it
};

// Returns the spawned actor (not linked: the supervisor monitors it). May throw std::exception with
// a message that names the problem (the supervisor logs it and counts it as a failed start).
using spawn_fn = std::function<caf::actor(const spawn_env&)>;

struct kind_entry {
  std::string name;
  std::string description;
  std::vector<std::string> args;  // accepted keys of the node's `args:`
  spawn_fn spawn;
};

class catalog {
 public:
  void add(kind_entry k);
  const kind_entry* find(std::string_view name) const;
  const std::vector<kind_entry>& kinds() const { return kinds_; }
  // Checks a tree against the catalog: unknown kinds and unknown args, as
  // "file:line:column: supervision.children[i]...: message" lines like the loader's errors.
  std::vector<std::string> validate(const config::tree_node& root) const;

 private:
  std::vector<kind_entry> kinds_;
};

// Every built-in kind: store, printer, alerts, alert_sink, graph, directory, source, syslog_udp,
// syslog_tcp, file_tail, webhook, console, otlp_grpc, otlp_http.
const catalog& builtin_catalog();

// Reads an argument of a tree node, with a default.
std::string arg_or(const config::tree_node& node, const std::string& key, std::string fallback);

}  // namespace seerflow::actors
