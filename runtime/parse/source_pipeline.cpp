#include "runtime/parse/source_pipeline.hpp"

#include <algorithm>

#include "runtime/parse/jsonl_decoder.hpp"
#include "runtime/parse/raw_decoder.hpp"
#include "runtime/parse/rejection.hpp"
#include "runtime/parse/syslog_decoder.hpp"
#include "runtime/parse/timestamp.hpp"
#include "runtime/util/byte_codec.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/hash.hpp"
#include "runtime/util/utf8.hpp"

namespace seerflow::parse {

namespace {
constexpr std::uint8_t snapshot_version = 1;
constexpr std::size_t max_rejected_bytes = 4096;  // what is kept of a rejected record

// The instant halfway through `year` in the decoder's zone. A year-less stamp takes the year
// nearest to its reference; from the exact middle, every date of `year` (Jan 1 00:00 to
// Dec 31 23:59:59) is nearer than the same date a year before or after, so the first record of
// a replay lands in the year the user gave. (Jul 2 00:00 was 12 hours early in 365-day years:
// "Dec 31 18:00" went to the year before.) Years are clamped to what int64 nanoseconds hold.
std::int64_t middle_of_year(int year, const time_context& tc) {
  const std::int64_t y = std::clamp<std::int64_t>(year, 1678, 2261);
  const std::int64_t first_day = util::days_from_civil(y, 1, 1);
  const std::int64_t length = util::days_from_civil(y + 1, 1, 1) - first_day;
  return zone_local_to_utc(first_day * util::ns_per_day + length * util::ns_per_day / 2, tc);
}
}  // namespace

void pipeline_output::clear() {
  events.clear();
  rejected.clear();
  templates.clear();
  entities.clear();
}

source_pipeline::source_pipeline(source_pipeline_options opts, metrics::registry* metrics)
    : opts_(std::move(opts)), miner_(opts_.drain), extractor_(opts_.entities), metrics_(metrics) {
  if (metrics_) {
    const metrics::labels l{{"source", opts_.source}};
    events_ = &metrics_->get_counter("source_events", l);
    utf8_repaired_ = &metrics_->get_counter("source_utf8_repaired", l);
    header_missing_ = &metrics_->get_counter("source_header_missing", l);
    time_missing_ = &metrics_->get_counter("source_time_missing", l);
  }
}

void source_pipeline::count_rejection(std::string_view reason) {
  if (metrics_)
    metrics_
        ->get_counter(
            "records_rejected",
            {{"stage", "decode"}, {"source", opts_.source}, {"reason", std::string(reason)}})
        .add();
}

std::uint64_t source_pipeline::template_id_for(const drain_match& m) {
  auto it = cluster_ids_.find(m.cluster_id);
  if (it != cluster_ids_.end()) return it->second;
  std::uint64_t id =
      util::mix64(util::fnv1a64(m.template_text, util::fnv1a64(opts_.source + '\x1f')));
  while (id == 0 || used_ids_.count(id)) id = util::mix64(id + 1);
  // Bound the map like the miner bounds its clusters: forget ids of clusters it evicted.
  if (cluster_ids_.size() >= 2 * opts_.drain.max_clusters + 16) {
    for (auto i = cluster_ids_.begin(); i != cluster_ids_.end();) {
      if (!miner_.template_of(i->first)) {
        used_ids_.erase(i->second);
        i = cluster_ids_.erase(i);
      } else {
        ++i;
      }
    }
  }
  cluster_ids_.emplace(m.cluster_id, id);
  used_ids_.insert(id);
  return id;
}

bool source_pipeline::decode_record(const model::raw_record& rec, model::input_format format,
                                    decode_options& dopt, model::event& ev, rejection& why,
                                    decode_notes& notes) {
  ev.source = opts_.source;
  ev.peer = rec.peer;
  ev.arrival_ns = rec.arrival_ns;
  if (opts_.replay) {
    dopt.time.fixed_year = 0;
    if (have_time_) {
      dopt.time.reference_ns = last_time_ns_;
    } else if (opts_.first_year) {
      // The year is given, not guessed: see time_context::fixed_year.
      dopt.time.reference_ns = middle_of_year(*opts_.first_year, dopt.time);
      dopt.time.fixed_year = *opts_.first_year;
    } else {
      dopt.time.reference_ns = rec.arrival_ns;
    }
    ev.time_ns = have_time_ ? last_time_ns_ : rec.arrival_ns;
  } else {
    dopt.time.reference_ns = rec.arrival_ns;
    ev.time_ns = rec.arrival_ns;
  }
  switch (format) {
    case model::input_format::syslog:
      return decode_syslog(rec.data, dopt, ev, why, notes);
    case model::input_format::raw:
      return decode_raw(rec.data, dopt, ev, why, notes);
    case model::input_format::jsonl:
      return decode_jsonl(rec.data, dopt, ev, why, notes);
    case model::input_format::prepared:
      break;
  }
  why = {"bad_format", "a prepared batch carries no raw records"};
  return false;
}

bool source_pipeline::admit_prepared(const model::event& p, const decode_options& dopt,
                                     model::event& ev, rejection& why, decode_notes& notes) {
  // Receivers that decode structured input (OTLP, webhooks) checked their own framing; what
  // every source guarantees downstream is checked again here: a bounded, valid UTF-8 message
  // and field values, and a time.
  if (p.message.size() > dopt.max_message) {
    why = {"oversized", "message of " + std::to_string(p.message.size()) + " bytes exceeds " +
                            std::to_string(dopt.max_message)};
    return false;
  }
  ev = p;
  ev.source = opts_.source;
  ev.seq = 0;
  ev.template_id = 0;
  ev.template_text.clear();
  ev.params.clear();
  ev.entities.clear();
  if (!util::is_valid_utf8(ev.message)) {
    if (dopt.reject_invalid_utf8) {
      why = {"invalid_utf8", "message is not valid UTF-8"};
      return false;
    }
    util::repair_utf8(ev.message);
    notes.utf8_repaired = true;
  }
  for (auto& f : ev.fields) {
    if (!util::is_valid_utf8(f.value)) {
      util::repair_utf8(f.value);
      notes.utf8_repaired = true;
    }
  }
  if (!ev.time_from_log || ev.time_ns == 0) {
    ev.time_from_log = false;
    ev.time_ns = opts_.replay && have_time_ ? last_time_ns_ : ev.arrival_ns;
    notes.time_missing = true;
  }
  return true;
}

void source_pipeline::reject(std::string_view data, std::int64_t arrival_ns,
                             const std::string& peer, rejection& why, pipeline_output& out) {
  model::rejected_record r;
  r.source = opts_.source;
  r.reason = std::string(why.reason);
  r.detail = std::move(why.detail);
  r.data = std::string(data.substr(0, max_rejected_bytes));
  r.arrival_ns = arrival_ns;
  r.peer = peer;
  r.after_seq = seq_;
  count_rejection(why.reason);
  out.rejected.push_back(std::move(r));
}

void source_pipeline::process(const model::raw_batch& batch, pipeline_output& out) {
  out.clear();
  tpl_index_.clear();
  ent_index_.clear();
  const bool prepared = batch.format == model::input_format::prepared;
  const std::size_t n = prepared ? batch.prepared.size() : batch.records.size();
  out.events.reserve(n);
  decode_options dopt = opts_.decode;
  rejection why;
  decode_notes notes;
  for (std::size_t i = 0; i < n; ++i) {
    model::event ev;
    why = {};
    notes = {};
    if (prepared) {
      const auto& p = batch.prepared[i];
      if (!admit_prepared(p, dopt, ev, why, notes)) {
        reject(p.message, p.arrival_ns, p.peer, why, out);
        continue;
      }
    } else if (!decode_record(batch.records[i], batch.format, dopt, ev, why, notes)) {
      const auto& rec = batch.records[i];
      reject(rec.data, rec.arrival_ns, rec.peer, why, out);
      continue;
    }
    if (metrics_) {
      if (notes.utf8_repaired) utf8_repaired_->add();
      if (notes.header_missing) header_missing_->add();
      if (notes.time_missing || !ev.time_from_log) time_missing_->add();
    }
    ev.seq = ++seq_;
    if (ev.time_from_log || !have_time_) {
      last_time_ns_ = ev.time_ns;
      have_time_ = have_time_ || ev.time_from_log;
    }

    // A leading timestamp of a plain message is not mined (it would split into parameters).
    std::string_view minable(ev.message);
    if (notes.time_prefix > 0 && notes.time_prefix <= minable.size()) {
      minable.remove_prefix(notes.time_prefix);
      while (!minable.empty() && (minable.front() == ' ' || minable.front() == '\t'))
        minable.remove_prefix(1);
    }
    if (!minable.empty()) {
      const auto m = miner_.add(minable, &ev.params);
      ev.template_id = template_id_for(m);
      ev.template_text = std::string(m.template_text);
      auto [ti, fresh] = tpl_index_.try_emplace(ev.template_id, out.templates.size());
      if (fresh) {
        auto& d = out.templates.emplace_back();
        d.template_id = ev.template_id;
        d.source = opts_.source;
        d.example = ev.message;
      }
      auto& d = out.templates[ti->second];
      d.text = ev.template_text;
      d.created |= m.change == template_change::created;
      d.updated |= m.change == template_change::updated;
      for (const auto absorbed_cluster : m.absorbed) {
        // The absorbed cluster's template id retires; its events now arrive under ours.
        auto it = cluster_ids_.find(absorbed_cluster);
        if (it == cluster_ids_.end() || it->second == ev.template_id) continue;
        d.absorbed.push_back(it->second);
        used_ids_.erase(it->second);
        cluster_ids_.erase(it);
      }
      d.times.push_back(ev.time_ns);
    }

    extractor_.extract(ev, ev.entities);
    ev.ls = logsource_.infer(ev);
    for (const auto& e : ev.entities) {
      auto [ei, fresh] = ent_index_.try_emplace(model::entity_key(e.id), out.entities.size());
      if (fresh) {
        auto& d = out.entities.emplace_back();
        d.entity = e;
        d.source = opts_.source;
      }
      out.entities[ei->second].observations.push_back({ev.time_ns, ev.seq, ev.template_id});
    }
    if (events_) events_->add();
    out.events.push_back(std::move(ev));
  }
}

std::string source_pipeline::snapshot() const {
  util::byte_writer w;
  w.u8(snapshot_version);
  w.varint(seq_);
  w.svarint(last_time_ns_);
  w.u8(have_time_ ? 1 : 0);
  w.varint(cluster_ids_.size());
  for (const auto& [cluster, id] : cluster_ids_) {
    w.varint(cluster);
    w.varint(id);
  }
  w.str(miner_.snapshot());
  return w.take();
}

bool source_pipeline::restore(std::string_view bytes) {
  util::byte_reader r(bytes);
  if (r.u8() != snapshot_version) return false;
  const auto seq = r.varint();
  const auto last_time = r.svarint();
  const bool have_time = r.u8() != 0;
  const auto n = r.varint();
  if (!r.plausible_count(n, 2)) return false;
  std::unordered_map<std::uint64_t, std::uint64_t> ids;
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    const auto cluster = r.varint();
    ids[cluster] = r.varint();
  }
  const auto miner_bytes = r.str(std::size_t{1} << 31);
  if (!r.ok() || !r.at_end()) return false;
  auto miner = drain_miner::restore(miner_bytes);
  if (!miner) return false;
  miner_ = std::move(*miner);
  seq_ = seq;
  last_time_ns_ = last_time;
  have_time_ = have_time;
  cluster_ids_ = std::move(ids);
  used_ids_.clear();
  for (const auto& [c, id] : cluster_ids_) used_ids_.insert(id);
  return true;
}

}  // namespace seerflow::parse
