#include "runtime/config/supervision_reader.hpp"

#include <array>
#include <map>

#include "runtime/config/value_syntax.hpp"

namespace seerflow::config {
namespace {

constexpr std::array<node_key, 8> node_keys{{
    {"name", "name", "(required)", "unique name of the node; the actor's registry name"},
    {"kind", "actor kind", "supervisor if children",
     "actor kind from the catalog (`seerflow kinds`), or supervisor"},
    {"strategy", "one_for_one|one_for_all|rest_for_one", "one_for_one",
     "supervisors: which children restart when one fails"},
    {"max_restarts", "integer 0..1000000", "5",
     "supervisors: restarts allowed within `within` before giving up"},
    {"within", "duration 1ms..365d", "10s", "supervisors: the restart intensity window"},
    {"restart", "permanent|transient|temporary", "permanent",
     "leaves: always restarted, restarted after a failure only, or never"},
    {"args", "mapping", "{}", "leaves: kind-specific arguments (scalars)"},
    {"children", "sequence", "(required for supervisors)",
     "supervisors: child nodes, in start order"},
}};

constexpr std::array<std::string_view, 3> strategies{"one_for_one", "one_for_all", "rest_for_one"};
constexpr std::array<std::string_view, 3> restart_policies{"permanent", "transient", "temporary"};
constexpr std::int64_t max_within_ms = 365LL * 24 * 3600 * 1000;

const node_key* find_node_key(std::string_view key) {
  for (const auto& k : node_keys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

template <std::size_t N>
bool one_of(std::string_view v, const std::array<std::string_view, N>& xs) {
  for (auto x : xs) {
    if (x == v) return true;
  }
  return false;
}

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& xs) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += '|';
    out += xs[i];
  }
  return out;
}

class tree_reader {
 public:
  tree_reader(read_context& ctx, const supervision_limits& limits) : ctx_(ctx), limits_(limits) {
    for (const auto& k : node_keys) key_names_.emplace_back(k.key);
  }

  void read(const yaml_node& n, const std::string& path, int depth, tree_node& out) {
    if (stopped_) return;
    if (++nodes_ > limits_.max_nodes) {
      ctx_.error(
          n, path,
          "the supervision tree has more than " + std::to_string(limits_.max_nodes) + " nodes");
      stopped_ = true;
      return;
    }
    if (depth > limits_.max_depth) {
      ctx_.error(
          n, path,
          "the supervision tree is deeper than " + std::to_string(limits_.max_depth) + " levels");
      return;
    }
    out.where = ctx_.where(n);
    if (n.is_alias()) {
      ctx_.error(n, path,
                 "YAML aliases are not supported (*" + n.text + "); write the node out in full");
      return;
    }
    if (!n.is_mapping()) {
      ctx_.error(n, path,
                 "expected a node (a mapping with name and kind), got " +
                     std::string(describe_kind(n.type)));
      return;
    }

    struct present {
      const yaml_node* key = nullptr;
      const yaml_node* value = nullptr;
    };
    std::map<std::string_view, present> fields;
    ctx_.for_each_entry(n, path,
                        [&](const std::string& key, const yaml_node& k, const yaml_node& v) {
                          const node_key* known = find_node_key(key);
                          if (known == nullptr) {
                            ctx_.error(k, path + "." + key, unknown_key_message(key, key_names_));
                            return;
                          }
                          // The table's string_view outlives the YAML text, so it keys the map.
                          fields[known->key] = {&k, &v};
                        });
    auto has = [&](std::string_view k) { return fields.count(k) > 0; };
    auto value_of = [&](std::string_view k) -> const yaml_node& { return *fields.at(k).value; };
    auto key_of = [&](std::string_view k) -> const yaml_node& { return *fields.at(k).key; };

    if (has("name")) {
      std::string name;
      if (ctx_.scalar(value_of("name"), path + ".name", "a name", name)) {
        if (!is_valid_name(name)) {
          ctx_.error(value_of("name"), path + ".name",
                     "expected a name of 1 to 128 characters from A-Z, a-z, 0-9, '_', '.' and "
                     "'-', got " +
                         quote_for_message(name));
        } else if (const auto [it, inserted] = names_.emplace(name, ctx_.where(value_of("name")));
                   !inserted) {
          ctx_.error(value_of("name"), path + ".name",
                     "duplicate name '" + name + "' (first used at line " +
                         std::to_string(it->second.line) + ", column " +
                         std::to_string(it->second.column) + "); names are unique in the tree");
        } else {
          out.name = std::move(name);
        }
      }
    } else {
      ctx_.error(n, path, "missing required key 'name'");
    }

    const bool has_children = has("children");
    if (has("kind")) {
      std::string kind;
      if (ctx_.scalar(value_of("kind"), path + ".kind", "an actor kind", kind)) {
        if (!is_valid_name(kind)) {
          ctx_.error(value_of("kind"), path + ".kind",
                     "expected an actor kind (letters, digits, '_', '.', '-'), got " +
                         quote_for_message(kind));
        } else {
          out.kind = std::move(kind);
        }
      }
    } else if (has_children) {
      out.kind = "supervisor";
    } else {
      ctx_.error(n, path,
                 "missing required key 'kind' (a leaf names an actor kind; a supervisor has "
                 "children)");
    }
    const bool supervisor = out.kind == "supervisor";
    const bool leaf = !out.kind.empty() && !supervisor;

    auto only_for = [&](std::string_view k, bool allowed, std::string_view who) {
      if (has(k) && !allowed) {
        ctx_.error(key_of(k), path + "." + std::string(k),
                   "'" + std::string(k) + "' applies to " + std::string(who) + " only");
        return false;
      }
      return has(k);
    };

    if (only_for("strategy", !leaf, "supervisors")) {
      std::string strategy;
      const std::string key = path + ".strategy";
      if (ctx_.scalar(value_of("strategy"), key, "a strategy", strategy)) {
        if (one_of(strategy, strategies)) {
          out.strategy = std::move(strategy);
        } else {
          ctx_.error(
              value_of("strategy"), key,
              "expected one of " + joined(strategies) + ", got " + quote_for_message(strategy));
        }
      }
    }
    if (only_for("max_restarts", !leaf, "supervisors")) {
      std::string text;
      const std::string key = path + ".max_restarts";
      if (ctx_.scalar(value_of("max_restarts"), key, "an integer", text)) {
        std::int64_t v = 0;
        bool overflow = false;
        if (!parse_integer(text, v, overflow) && !overflow) {
          ctx_.error(value_of("max_restarts"), key,
                     "expected an integer, got " + quote_for_message(text));
        } else if (overflow || v < 0 || v > 1'000'000) {
          ctx_.error(value_of("max_restarts"), key,
                     quote_for_message(text) + " is out of range (0..1000000)");
        } else {
          out.max_restarts = static_cast<int>(v);
        }
      }
    }
    if (only_for("within", !leaf, "supervisors")) {
      std::string text;
      const std::string key = path + ".within";
      if (ctx_.scalar(value_of("within"), key, "a duration", text)) {
        std::int64_t v = 0;
        bool overflow = false;
        if (!parse_duration_ms(text, v, overflow) && !overflow) {
          ctx_.error(value_of("within"), key,
                     "expected a duration such as 250ms, 10s, 5m, 1h or 2d (a bare number is "
                     "milliseconds), got " +
                         quote_for_message(text));
        } else if (overflow || v < 1 || v > max_within_ms) {
          ctx_.error(value_of("within"), key,
                     quote_for_message(text) + " is out of range (1ms..365d)");
        } else {
          out.within_ms = v;
        }
      }
    }
    if (only_for("restart", !supervisor, "leaves")) {
      std::string restart;
      const std::string key = path + ".restart";
      if (ctx_.scalar(value_of("restart"), key, "a restart policy", restart)) {
        if (one_of(restart, restart_policies)) {
          out.restart = std::move(restart);
        } else {
          ctx_.error(value_of("restart"), key,
                     "expected one of " + joined(restart_policies) + ", got " +
                         quote_for_message(restart));
        }
      }
    }
    if (only_for("args", !supervisor, "leaves")) read_args(value_of("args"), path + ".args", out);

    if (has_children && leaf) {
      ctx_.error(key_of("children"), path + ".children",
                 "only a supervisor has children (this node's kind is '" + out.kind + "')");
    } else if (has_children) {
      const yaml_node& children = value_of("children");
      const std::string key = path + ".children";
      if (children.is_alias()) {
        ctx_.error(
            children, key,
            "YAML aliases are not supported (*" + children.text + "); write the nodes out in full");
      } else if (!children.is_sequence()) {
        ctx_.error(
            children.is_null() ? key_of("children") : children, key,
            "expected a sequence of nodes, got " + std::string(describe_kind(children.type)));
      } else if (children.items.empty()) {
        ctx_.error(children, key, "a supervisor needs at least one child");
      } else {
        out.children.reserve(children.items.size());
        for (std::size_t i = 0; i < children.items.size() && !stopped_; ++i) {
          out.children.emplace_back();
          read(children.items[i], key + "[" + std::to_string(i) + "]", depth + 1,
               out.children.back());
        }
      }
    } else if (supervisor) {
      ctx_.error(n, path, "a supervisor needs at least one child ('children' is missing)");
    }
  }

 private:
  void read_args(const yaml_node& args, const std::string& key, tree_node& out) {
    if (args.is_null()) return;
    if (args.is_alias()) {
      ctx_.error(args, key,
                 "YAML aliases are not supported (*" + args.text + "); write the value out");
      return;
    }
    if (!args.is_mapping()) {
      ctx_.error(args, key,
                 "expected a mapping of argument names to values, got " +
                     std::string(describe_kind(args.type)));
      return;
    }
    ctx_.for_each_entry(args, key,
                        [&](const std::string& name, const yaml_node&, const yaml_node& v) {
                          std::string text;
                          if (v.is_null()) {
                            out.args[name] = "";
                          } else if (ctx_.scalar(v, key + "." + name, "a scalar value", text)) {
                            out.args[name] = std::move(text);
                          }
                        });
  }

  read_context& ctx_;
  const supervision_limits& limits_;
  std::vector<std::string> key_names_;
  std::map<std::string, location> names_;
  int nodes_ = 0;
  bool stopped_ = false;
};

}  // namespace

void read_supervision(const yaml_node& node, read_context& ctx, tree_node& out,
                      const supervision_limits& limits) {
  out = tree_node{};
  tree_reader reader(ctx, limits);
  reader.read(node, "supervision", 1, out);
  if (!out.kind.empty() && out.kind != "supervisor") {
    ctx.error(node, "supervision",
              "the root of the supervision tree must be a supervisor (give it children)");
  }
}

std::span<const node_key> supervision_node_keys() {
  return node_keys;
}

}  // namespace seerflow::config
