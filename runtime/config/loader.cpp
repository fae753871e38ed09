#include "runtime/config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "runtime/config/read_context.hpp"
#include "runtime/config/schema.hpp"
#include "runtime/config/sinks_reader.hpp"
#include "runtime/config/supervision_reader.hpp"
#include "runtime/config/value_syntax.hpp"
#include "runtime/config/webhook_endpoints_reader.hpp"
#include "runtime/config/yaml_document.hpp"
#include "runtime/util/log.hpp"

extern const char* const seerflow_default_supervision_yaml;

namespace seerflow::config {
namespace {

const std::string builtin_origin = "conf/supervision.yaml (built-in)";

// A hostile file can produce an error per node; nobody reads past the first screenful.
constexpr std::size_t max_reported_errors = 100;

std::string choices_text(const schema_entry& e) {
  std::string out;
  for (std::size_t i = 0; i < e.choices.size(); ++i) {
    if (i > 0) out += '|';
    out += e.choices[i];
  }
  return out;
}

std::string expected_phrase(const schema_entry& e) {
  switch (e.type) {
    case value_type::boolean:
      return "a boolean (true/false, yes/no, on/off)";
    case value_type::integer:
      return "an integer";
    case value_type::number:
      return "a number";
    case value_type::text:
      return "a string";
    case value_type::choice:
      return "one of " + choices_text(e);
    case value_type::duration:
      return "a duration such as 250ms, 10s, 5m, 1h or 2d (a bare number is milliseconds)";
    case value_type::size:
      return "a size such as 65536, 64KiB or 4MiB (units B, KB, KiB, MB, MiB, GB, GiB)";
    case value_type::text_list:
      return "a list of " + choices_text(e);
  }
  return "a value";
}

std::string range_text(const schema_entry& e) {
  switch (e.type) {
    case value_type::duration:
      return format_duration_ms(e.min) + ".." + format_duration_ms(e.max);
    case value_type::size:
      return format_size_bytes(e.min) + ".." + format_size_bytes(e.max);
    case value_type::number:
      return format_number(e.min_number) + ".." + format_number(e.max_number);
    default:
      return std::to_string(e.min) + ".." + std::to_string(e.max);
  }
}

void store_integral(const field_ref& f, std::int64_t v) {
  std::visit(
      [v](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          *p = static_cast<T>(v);  // the row's bounds fit T (checked by the schema test)
        }
      },
      f);
}

bool is_choice(const schema_entry& e, std::string_view v) {
  return std::find(e.choices.begin(), e.choices.end(), v) != e.choices.end();
}

void read_list(const schema_entry& e, const yaml_node& v, read_context& ctx, settings& s) {
  const std::string key(e.key);
  if (v.is_alias()) {
    ctx.error(v, key, "YAML aliases are not supported (*" + v.text + "); write the value out");
    return;
  }
  if (!v.is_sequence()) {
    ctx.error(v, key,
              "expected " + expected_phrase(e) + " (a YAML sequence such as [ip, user]), got " +
                  std::string(describe_kind(v.type)));
    return;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < v.items.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    std::string text;
    const std::string expected =
        e.choices.empty() ? std::string(e.type_note) : "one of " + choices_text(e);
    if (!ctx.scalar(v.items[i], item_key, expected, text)) {
      ok = false;
    } else if (!e.choices.empty() && !is_choice(e, text)) {
      ctx.error(v.items[i], item_key,
                "expected one of " + choices_text(e) + ", got " + quote_for_message(text));
      ok = false;
    } else if (auto problem = e.check ? e.check(text) : std::nullopt) {
      ctx.error(v.items[i], item_key, *problem);
      ok = false;
    } else if (std::find(out.begin(), out.end(), text) != out.end()) {
      ctx.error(v.items[i], item_key, "'" + text + "' is listed twice");
      ok = false;
    } else {
      out.push_back(std::move(text));
    }
  }
  if (ok) *std::get<std::vector<std::string>*>(e.field(s)) = std::move(out);
}

void apply_entry(const schema_entry& e, const yaml_node& v, read_context& ctx, settings& s) {
  if (v.is_null()) return;  // an empty value keeps the default
  if (e.type == value_type::text_list) {
    read_list(e, v, ctx, s);
    return;
  }
  const std::string key(e.key);
  std::string text;
  if (!ctx.scalar(v, key, expected_phrase(e), text)) return;
  const field_ref f = e.field(s);
  auto bad = [&] {
    ctx.error(v, key, "expected " + expected_phrase(e) + ", got " + quote_for_message(text));
  };
  auto out_of_range = [&] {
    ctx.error(v, key, quote_for_message(text) + " is out of range (" + range_text(e) + ")");
  };
  switch (e.type) {
    case value_type::boolean: {
      bool b = false;
      if (!parse_bool(text, b)) return bad();
      *std::get<bool*>(f) = b;
      return;
    }
    case value_type::integer:
    case value_type::duration:
    case value_type::size: {
      std::int64_t n = 0;
      bool overflow = false;
      const bool parsed = e.type == value_type::integer    ? parse_integer(text, n, overflow)
                          : e.type == value_type::duration ? parse_duration_ms(text, n, overflow)
                                                           : parse_size_bytes(text, n, overflow);
      if (!parsed && !overflow) return bad();
      if (overflow || n < e.min || n > e.max) return out_of_range();
      store_integral(f, n);
      return;
    }
    case value_type::number: {
      double d = 0;
      if (!parse_number(text, d)) return bad();
      if (d < e.min_number || d > e.max_number) return out_of_range();
      *std::get<double*>(f) = d;
      return;
    }
    case value_type::text:
    case value_type::choice: {
      if (e.check != nullptr) {
        if (auto problem = e.check(text)) {
          ctx.error(v, key, std::move(*problem));
          return;
        }
      }
      if (e.type == value_type::choice && !is_choice(e, text)) return bad();
      *std::get<std::string*>(f) = std::move(text);
      return;
    }
    case value_type::text_list:
      return;  // handled above
  }
}

void read_section(const yaml_node& map, const std::string& path, read_context& ctx, settings& s) {
  ctx.for_each_entry(
      map, path, [&](const std::string& key, const yaml_node& k, const yaml_node& v) {
        const std::string full = path.empty() ? key : path + "." + key;
        if (key.find('.') != std::string::npos) {
          if (find_entry(full) != nullptr || is_section(full) || full == "supervision" ||
              full == "alerts.sinks") {
            ctx.error(k, full, "dotted keys are not read; nest the key under its section");
          } else {
            ctx.error(k, full, unknown_key_message(full, known_paths()));
          }
          return;
        }
        if (path.empty() && key == "supervision") {
          if (!v.is_null()) read_supervision(v, ctx, s.supervision);
          return;
        }
        if (full == "receivers.webhooks.endpoints") {
          read_webhook_endpoints(v, ctx, s.receivers.webhooks.endpoints);
          return;
        }
        if (full == "alerts.sinks") {
          if (!v.is_null()) read_sinks(v, ctx, s.alerts.sinks);
          return;
        }
        if (const schema_entry* e = find_entry(full)) {
          apply_entry(*e, v, ctx, s);
          return;
        }
        if (is_section(full)) {
          if (v.is_null()) return;
          if (v.is_mapping()) {
            read_section(v, full, ctx, s);
          } else if (v.is_alias()) {
            ctx.error(v, full, "YAML aliases are not supported (*" + v.text + "); write it out");
          } else {
            ctx.error(v, full,
                      "expected a mapping (the keys of section " + full + "), got " +
                          std::string(describe_kind(v.type)));
          }
          return;
        }
        ctx.error(k, full, unknown_key_message(full, known_paths()));
      });
}

// Overlays the YAML text on `s`, appending every problem to `errors`.
void apply_yaml(std::string_view yaml, const std::string& origin, const env_lookup& env,
                settings& s, std::vector<config_error>& errors) {
  yaml_document doc = parse_yaml_document(yaml, origin);
  errors.insert(errors.end(), std::make_move_iterator(doc.errors.begin()),
                std::make_move_iterator(doc.errors.end()));
  read_context ctx(origin, env, errors);
  if (doc.root.is_null()) return;
  if (!doc.root.is_mapping()) {
    ctx.error(doc.root, "",
              "the top level must be a mapping of keys such as 'receivers:', got " +
                  std::string(describe_kind(doc.root.type)));
    return;
  }
  read_section(doc.root, "", ctx, s);
}

void cap_errors(std::vector<config_error>& errors, const std::string& origin) {
  if (errors.size() <= max_reported_errors) return;
  const std::size_t hidden = errors.size() - max_reported_errors;
  errors.resize(max_reported_errors);
  errors.push_back({{origin, 0, 0}, "", std::to_string(hidden) + " more errors not shown"});
}

// Keys that only make sense together, checked once the whole file is read.
void check_storage(const storage_settings& st, const std::string& origin,
                   std::vector<config_error>& errors) {
  if (st.backend != "postgresql") return;
  if (st.postgresql_url.empty())
    errors.push_back({{origin, 0, 0},
                      "storage.postgresql.url",
                      "storage.backend is postgresql but storage.postgresql.url is not set "
                      "(postgresql://USER:${PGPASSWORD}@HOST:5432/DB)"});
  // The size cap counts SQLite pages; a PostgreSQL server's size is its administrator's.
  if (st.retention_max_bytes > 0)
    errors.push_back({{origin, 0, 0},
                      "storage.retention.max_bytes",
                      "storage.retention.max_bytes applies to the sqlite backend only; with "
                      "postgresql use storage.retention.max_age"});
}

std::string join_path(const std::string& dir, std::string_view leaf) {
  if (!dir.empty() && dir.back() == '/') return dir + std::string(leaf);
  return dir + "/" + std::string(leaf);
}

}  // namespace

const tree_node& default_supervision_tree() {
  static const tree_node tree = [] {
    settings s;
    std::vector<config_error> errors;
    const env_lookup no_env = [](const std::string&) { return std::optional<std::string>{}; };
    apply_yaml(seerflow_default_supervision_yaml, builtin_origin, no_env, s, errors);
    // The embedded file is tested (tests/unit/config); this only fires on a broken build.
    for (const auto& e : errors) log::error("config", to_string(e));
    return s.supervision;
  }();
  return tree;
}

void resolve_paths(settings& s, const env_lookup& env) {
  auto get = [&](const char* name) {
    std::optional<std::string> v = env ? env(name) : std::nullopt;
    return v ? std::move(*v) : std::string();
  };
  if (s.data_dir.empty()) {
    if (std::string dir = get("SEERFLOW_DATA_DIR"); !dir.empty()) {
      s.data_dir = std::move(dir);
    } else if (std::string xdg = get("XDG_DATA_HOME"); !xdg.empty() && xdg.front() == '/') {
      s.data_dir = join_path(xdg, "seerflow");
    } else if (std::string home = get("HOME"); !home.empty()) {
      s.data_dir = join_path(home, ".local/share/seerflow");
    } else {
      s.data_dir = "./seerflow-data";
    }
  }
  if (s.storage.path.empty()) s.storage.path = join_path(s.data_dir, "seerflow.db");
}

settings default_settings(const env_lookup& env) {
  settings s;
  s.supervision = default_supervision_tree();
  resolve_paths(s, env);
  return s;
}

load_result load_string(std::string_view yaml, const std::string& origin, const env_lookup& env) {
  load_result r;
  r.value.supervision = default_supervision_tree();
  r.value.origin = origin;
  apply_yaml(yaml, origin, env, r.value, r.errors);
  check_storage(r.value.storage, origin, r.errors);
  cap_errors(r.errors, origin);
  resolve_paths(r.value, env);
  return r;
}

load_result load_file(const std::string& path, const env_lookup& env) {
  auto fail = [&](std::string message) {
    load_result r;
    r.value = default_settings(env);
    r.value.origin = path;
    r.errors.push_back({{path, 0, 0}, "", std::move(message)});
    return r;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("cannot read: it is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return fail(std::string("cannot open: ") + std::strerror(errno));
  // Read one byte past the limit so an oversized file is refused without reading all of it.
  const std::size_t limit = yaml_limits{}.max_bytes + 1;
  std::string text;
  char buf[65536];
  while (text.size() < limit) {
    const std::size_t want = std::min(sizeof buf, limit - text.size());
    const std::size_t got = std::fread(buf, 1, want, file.get());
    text.append(buf, got);
    if (got < want) {
      if (std::ferror(file.get())) return fail(std::string("cannot read: ") + std::strerror(errno));
      break;
    }
  }
  return load_string(text, path, env);
}

}  // namespace seerflow::config
