#pragma once
// Everything a source actor does to a batch, without the actor: decode each record, take its
// event time, mine its template, extract its entities, infer its logsource, number it, and
// group the batch by template and by entity for the directory. Unit-tested and benchmarked
// without CAF; the source actor is a thin shell around it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/metrics/registry.hpp"
#include "runtime/model/deliveries.hpp"
#include "runtime/model/event.hpp"
#include "runtime/model/raw_record.hpp"
#include "runtime/parse/decode_options.hpp"
#include "runtime/parse/drain.hpp"
#include "runtime/parse/entity_extractor.hpp"
#include "runtime/parse/logsource_inference.hpp"
#include "runtime/parse/rejection.hpp"

namespace seerflow::parse {

struct source_pipeline_options {
  std::string source = "syslog";
  decode_options decode;  // time zone, UTF-8 policy, size limit (reference_ns is ignored)
  drain_options drain;
  entity_options entities;
  // Replay (seerflow analyze): year-less stamps are read relative to the previous record's time
  // rather than the arrival time, and records without a time inherit the previous one, so the
  // output depends only on the input.
  bool replay = false;
  std::optional<int> first_year;  // replay: the year of the first record, if it has none
};

struct pipeline_output {
  std::vector<model::event> events;
  std::vector<model::rejected_record> rejected;
  std::vector<model::template_delivery> templates;
  std::vector<model::entity_delivery> entities;
  void clear();
};

class source_pipeline {
 public:
  // `metrics` may be null (benchmarks, tests).
  source_pipeline(source_pipeline_options opts, metrics::registry* metrics);

  void process(const model::raw_batch& batch, pipeline_output& out);

  std::uint64_t last_seq() const { return seq_; }
  // A restarted source continues numbering after what its predecessor processed.
  void continue_after(std::uint64_t seq) {
    if (seq > seq_) seq_ = seq;
  }
  std::size_t template_count() const { return cluster_ids_.size(); }

  std::string snapshot() const;
  bool restore(std::string_view bytes);

 private:
  std::uint64_t template_id_for(const drain_match& m);
  void count_rejection(std::string_view reason);
  bool decode_record(const model::raw_record& rec, model::input_format format, decode_options& dopt,
                     model::event& ev, rejection& why, decode_notes& notes);
  bool admit_prepared(const model::event& p, const decode_options& dopt, model::event& ev,
                      rejection& why, decode_notes& notes);
  void reject(std::string_view data, std::int64_t arrival_ns, const std::string& peer,
              rejection& why, pipeline_output& out);

  source_pipeline_options opts_;
  drain_miner miner_;
  entity_extractor extractor_;
  logsource_inference logsource_;
  std::uint64_t seq_ = 0;
  std::int64_t last_time_ns_ = 0;
  bool have_time_ = false;
  // Drain cluster id -> template id. Template ids hash the source and the cluster's first
  // template text, so they stay the same across restarts and never collide with the id of a
  // different template after a crash (cluster ids may be re-used then; texts are not).
  std::unordered_map<std::uint64_t, std::uint64_t> cluster_ids_;
  std::unordered_set<std::uint64_t> used_ids_;
  // Scratch maps reused across batches: template id / entity key -> index in the output.
  std::unordered_map<std::uint64_t, std::size_t> tpl_index_, ent_index_;

  metrics::registry* metrics_;
  metrics::counter* events_ = nullptr;
  metrics::counter* utf8_repaired_ = nullptr;
  metrics::counter* header_missing_ = nullptr;
  metrics::counter* time_missing_ = nullptr;
};

}  // namespace seerflow::parse
