#include "runtime/detect/content_features.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/util/hash.hpp"

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x46;  // 'F'
constexpr std::uint8_t snapshot_version = 3;

// exp2(-1 / novelty_half_life), the per-event decay of the rate of first sightings.
const double fresh_decay = std::exp2(-1.0 / content_features::novelty_half_life);

// A never-seen template's count is the stream's recent rate of first sightings plus this: the
// smoothing of a seen template (1/2) would put the first new message after a quiet stretch only
// 1.6 bits above a template seen once, and a stream's recurring rare templates (an error that
// comes back every few hundred lines) then set thresholds no new message could cross. 1/64 gives
// it 6 bits more than a template seen once.
constexpr double fresh_floor = 1.0 / 64;
// Novelty in units of a seen-nothing template's surprisal; a new template reaches ~1.5.
constexpr double max_novelty = 3.0;
// The weight of a first sighting whose words are all known; one of only new words weighs 1.5.
// Chosen on bench/eval_detect.py (seeds 7, 11, 13, 17): against 1/2 it keeps volume spikes and
// rare bursts where they were while finding as many new messages. Only boosting (1 for known
// words, 2 for new ones) raised the thresholds for everything else (volume spikes 99 -> 85 of
// 128, sequences 14 -> 1). Weighing a template of known words (a pruned one coming back too)
// down lowers the thresholds such templates used to raise; the risk q was lowered with it
// (detect/settings.hpp).
constexpr double lexical_floor = 0.25;
// Shorter runs of letters are mostly pieces of identifiers and hex numbers.
constexpr std::size_t min_word = 3;

float unit_of(std::uint64_t h) {
  return static_cast<float>(h >> 40) * (1.0f / 16777216.0f);
}
float capped(std::uint32_t v, std::uint32_t cap) {
  return static_cast<float>(std::min(v, cap)) / static_cast<float>(cap);
}
}  // namespace

content_features::content_features(const hst_settings& s)
    : half_life_(std::max<std::uint32_t>(s.rarity_half_life, 1)),
      max_templates_(std::max<std::uint32_t>(s.max_tracked_templates, 16)) {
  // A template seen at every event settles at a count of half_life / ln 2.
  rarity_scale_ = 1.0 / std::log2(1.0 + half_life_ / std::log(2.0));
  decay_ = std::exp2(-1.0 / half_life_);
  decay_table_.resize(1024);
  for (std::size_t g = 0; g < decay_table_.size(); ++g)
    decay_table_[g] = std::exp2(-static_cast<double>(g) / half_life_);
  length_table_.resize(1024);
  for (std::size_t n = 0; n < length_table_.size(); ++n)
    length_table_[n] = std::log2(1.0f + static_cast<float>(n)) / 16.0f;
}

std::array<float, content_features::dims> content_features::encode(const event_features& e) {
  ++clock_;
  auto [it, fresh] = counts_.try_emplace(e.template_id, recent{0.0, clock_});
  auto& rc = it->second;
  // Decay lazily, to the present, only when the template shows up.
  if (!fresh && rc.at != clock_) rc.count *= decay_over(clock_ - rc.at);
  const double before = rc.count;
  rc.count += 1.0;
  rc.at = clock_;
  // The decayed total of all counts is a function of the clock alone: (1 - d^n) / (1 - d).
  double total, log2_scale;
  if (total_settled_) {
    total = settled_total_;
    log2_scale = settled_log2_scale_;
  } else {
    const double fade = std::exp2(-static_cast<double>(clock_ - 1) / half_life_);
    total = (1.0 - fade) / (1.0 - decay_);
    log2_scale = std::log2((total + 1.0) / 0.5);
    // fade only falls as the clock grows (by 2^(-1 / half_life) per event, far more than
    // exp2's error), so below 2^-55 1 - fade is exactly 1 from here on.
    if (fade < 0x1p-55) {
      total_settled_ = true;
      settled_total_ = total;
      settled_log2_scale_ = log2_scale;
    }
  }
  // The recent rate of first sightings (one decay step per event).
  fresh_ *= fresh_decay;
  // A new template weighs as much as the stream's recent first sightings; scaled by the
  // surprisal of a new template in a stream that writes none, so that a new template after a
  // quiet stretch is 1 from the first events on, and a template seen once is close below it.
  const double count = fresh ? fresh_ + fresh_floor : before + 0.5;
  double surprisal = std::log2((total + 1.0) / count) / log2_scale;
  lexical_ = -1;
  if (fresh) {
    lexical_ = learn_words(e.message);
    if (lexical_ >= 0) surprisal *= lexical_floor + (1.5 - lexical_floor) * lexical_;
  }
  novelty_ = std::clamp(surprisal, 0.0, max_novelty);
  if (fresh) fresh_ += 1.0;
  std::array<float, dims> x;
  const std::uint64_t h = util::mix64(e.template_id ^ 0x243F6A8885A308D3ULL);
  x[0] = unit_of(h);
  x[1] = unit_of(util::mix64(h + 0x9E3779B97F4A7C15ULL));
  x[2] = static_cast<float>(std::min(1.0, std::log2(1.0 + before) * rarity_scale_));
  x[3] = capped(e.entity_count, 16);
  x[4] = capped(e.severity, 24);
  x[5] = capped(e.param_count, 32);
  x[6] = std::min(1.0f, e.message_length < length_table_.size()
                            ? length_table_[e.message_length]
                            : std::log2(1.0f + static_cast<float>(e.message_length)) / 16.0f);
  if (counts_.size() > max_templates_) prune();
  return x;
}

std::array<std::uint8_t, content_features::dims> content_features::encode_quantised(
    const event_features& e) {
  const auto x = encode(e);
  std::array<std::uint8_t, dims> q;
  // Every feature is already in [0, 1].
  for (std::size_t d = 0; d < dims; ++d) q[d] = static_cast<std::uint8_t>(x[d] * 255.0f + 0.5f);
  return q;
}

double content_features::learn_words(std::string_view message) {
  words_.clear();
  std::uint64_t h = 0;
  std::size_t len = 0;
  auto end_word = [&] {
    if (len >= min_word) words_.push_back(util::mix64(h ^ len));
    h = 0;
    len = 0;
  };
  for (const char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      h = h * 0x100000001B3ULL + (c | 0x20);
      ++len;
    } else {
      end_word();
    }
  }
  end_word();
  if (words_.empty()) return -1;
  std::sort(words_.begin(), words_.end());
  words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
  std::size_t fresh = 0;
  for (const auto w : words_) {
    if (vocabulary_.count(w)) continue;
    ++fresh;
    if (vocabulary_.size() < max_vocabulary) vocabulary_.insert(w);
  }
  return static_cast<double>(fresh) / static_cast<double>(words_.size());
}

// Drops the templates with the smallest decayed counts until a quarter of the room is free;
// amortised over the many events between two prunes.
void content_features::prune() {
  std::vector<std::pair<double, std::uint64_t>> by_count;
  by_count.reserve(counts_.size());
  for (const auto& [id, rc] : counts_)
    by_count.emplace_back(rc.count * decay_over(clock_ - rc.at), id);
  // Ties broken by id so the result does not depend on the hash map's order.
  std::sort(by_count.begin(), by_count.end());
  const std::size_t drop = counts_.size() - max_templates_ * 3 / 4;
  for (std::size_t i = 0; i < drop; ++i) counts_.erase(by_count[i].second);
}

void content_features::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(clock_);
  w.f64(fresh_);
  // Sorted by id: the same state always writes the same bytes.
  std::vector<std::pair<std::uint64_t, recent>> all(counts_.begin(), counts_.end());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.varint(all.size());
  for (const auto& [id, rc] : all) {
    w.varint(id);
    w.f64(rc.count);
    w.varint(rc.at);
  }
  std::vector<std::uint64_t> words(vocabulary_.begin(), vocabulary_.end());
  std::sort(words.begin(), words.end());
  w.varint(words.size());
  for (const auto word : words) w.u64(word);
}

bool content_features::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag) return false;
  // Version 2 had no vocabulary: it starts empty.
  const auto version = r.u8();
  if (version != snapshot_version && version != 2) return false;
  const std::uint64_t clock = r.varint();
  const double fresh = r.f64();
  if (!r.ok() || !(fresh >= 0) || !std::isfinite(fresh)) return false;
  const std::uint64_t n = r.varint();
  if (!r.ok() || n > max_templates_ || !r.plausible_count(n, 10)) return false;
  std::unordered_map<std::uint64_t, recent> counts;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t id = r.varint();
    const double c = r.f64();
    const std::uint64_t at = r.varint();
    if (!r.ok() || !(c >= 0) || !std::isfinite(c) || at > clock ||
        !counts.emplace(id, recent{c, at}).second)
      return false;
  }
  std::unordered_set<std::uint64_t> vocabulary;
  if (version >= 3) {
    const std::uint64_t words = r.varint();
    if (!r.ok() || words > max_vocabulary || !r.plausible_count(words, 8)) return false;
    vocabulary.reserve(words);
    for (std::uint64_t i = 0; i < words; ++i)
      if (!vocabulary.insert(r.u64()).second || !r.ok()) return false;
  }
  clock_ = clock;
  vocabulary_ = std::move(vocabulary);
  total_settled_ = false;  // the clock may have gone back
  fresh_ = fresh;
  counts_ = std::move(counts);
  return true;
}

}  // namespace seerflow::detect
