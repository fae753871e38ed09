#pragma once
// A loaded, compiled set of Sigma rules and the entry point for evaluation.
//
//   rule_set rs;                       // optionally with load_options (expand placeholders)
//   rs.add_directory("rules/");        // or add_file / add_yaml; rejections() lists failures
//   rs.finalize();                     // resolves filters and correlations, builds indices
//   field_view ev(rs.fields());        // one per thread, reused
//   match_scratch scratch;             // one per thread
//   const auto& b = rs.bucket({"linux", "process_creation", ""});  // cached per logsource
//   ev.clear(); ev.add("Image", "/usr/bin/curl"); ...
//   rs.evaluate(b, ev, scratch, hits); // hits: indices into rs.rules(), ascending
//
// After finalize() the set is immutable and may be shared by threads; bucket() is thread-safe.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rules/engine/prefilter.hpp"
#include "rules/engine/rule.hpp"
#include "rules/engine/rule_loader.hpp"

namespace seerflow::rules {

// The rules that apply to one event logsource, with their literal prefilter.
struct rule_bucket {
  std::vector<std::uint32_t> rules;   // indices into rule_set::rules()
  std::vector<std::uint32_t> always;  // positions in `rules` with no literal prefilter
  std::size_t literal_count = 0;      // literal ids: contains and anchored together
  // Contains literals, one index per event field that rules search (holding that field's
  // literals and the keywords'), so a field is scanned only for what could matter in it.
  struct scanner {
    literal_index literals;          // index-local ids
    std::vector<std::uint32_t> ids;  // index-local id -> literal id
  };
  std::vector<scanner> scanners;
  std::vector<std::uint32_t> scanner_of;  // field id -> position in `scanners`, or no_field
  // Keyword literals alone, for the fields no rule names (no_field when there are none).
  std::uint32_t keyword_scanner = no_field;
  anchored_index anchored;
  // literal id -> positions in `rules` whose primary (most selective) clause holds it.
  std::vector<std::vector<std::uint32_t>> literal_rules;
  // Per position: the other clauses, as literal ids; each needs one literal seen in the event.
  std::vector<std::vector<std::vector<std::uint32_t>>> secondary;
};

// One rule that matched an event: everything an alert needs (id, title, level, tags,
// techniques, tactics, author, file) is in *info. `alert` is false for rules that only feed a
// correlation declared with `generate: false`.
struct match_result {
  std::uint32_t rule = 0;  // index into rule_set::rules()
  const rule_info* info = nullptr;
  bool alert = true;
};

// Per-thread scratch for evaluate(); sized on first use.
struct match_scratch {
  std::vector<std::uint32_t> lit_stamp, rule_stamp, candidates, hits;
  std::uint32_t gen = 0;
  std::uint64_t evaluated = 0;  // rules fully evaluated (prefilter survivors), for statistics
  std::uint64_t literal_hits = 0, rule_refs = 0, scanned_bytes = 0;
};

// A correlation's stable name across reloads: its id, else its name, else its title.
std::string correlation_key(const correlation_rule& c);
// Changes whenever what shapes its windows changes (type, references, group-by, aliases,
// timespan, condition): open windows survive a reload only when it is equal.
std::uint64_t correlation_signature(const correlation_rule& c);

class rule_set {
 public:
  explicit rule_set(load_options opts = {});

  void add_yaml(std::string_view text, std::string_view file);
  void add_file(const std::filesystem::path& file);
  // Every *.yml / *.yaml below `dir`, in sorted path order (deterministic rule indices).
  void add_directory(const std::filesystem::path& dir);
  void finalize();

  const field_registry& fields() const { return fields_; }
  const std::vector<detection_rule>& rules() const { return docs_.rules; }
  const std::vector<correlation_rule>& correlations() const { return docs_.correlations; }
  const std::vector<filter_rule>& filters() const { return docs_.filters; }
  const std::vector<rejection>& rejections() const { return docs_.rejected; }
  std::size_t files_read() const { return files_; }
  // After finalize(): the correlations fed by detection rule `rule` and by correlation `corr`,
  // as (correlation index, position in its rules list).
  using feed_list = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
  const feed_list& correlations_fed_by_rule(std::uint32_t rule) const {
    return rule < corr_by_rule_.size() ? corr_by_rule_[rule] : no_feeds_;
  }
  const feed_list& correlations_fed_by_correlation(std::uint32_t corr) const {
    return corr < corr_by_corr_.size() ? corr_by_corr_[corr] : no_feeds_;
  }
  std::optional<std::uint32_t> correlation_index(std::string_view key) const;

  // A rule applies when the event's logsource equals it on every attribute the rule sets.
  static bool applies(const logsource& rule, const logsource& event);
  const rule_bucket& bucket(const logsource& event) const;
  // Every rule, regardless of logsource.
  const rule_bucket& all_rules() const { return *all_; }

  void evaluate(const rule_bucket& b, const field_view& ev, match_scratch& scratch,
                std::vector<std::uint32_t>& hits) const;
  // The same, with each hit's metadata.
  void evaluate(const rule_bucket& b, const field_view& ev, match_scratch& scratch,
                std::vector<match_result>& out) const;

 private:
  std::unique_ptr<rule_bucket> make_bucket(std::vector<std::uint32_t> rules) const;

  load_options opts_;
  field_registry fields_;
  loaded_documents docs_;
  std::size_t files_ = 0;
  bool final_ = false;
  std::unique_ptr<rule_bucket> all_;
  std::vector<feed_list> corr_by_rule_, corr_by_corr_;
  feed_list no_feeds_;
  std::unordered_map<std::string, std::uint32_t> corr_index_;  // by correlation_key
  mutable std::mutex mu_;
  mutable std::map<logsource, std::unique_ptr<rule_bucket>> buckets_;
};

}  // namespace seerflow::rules
