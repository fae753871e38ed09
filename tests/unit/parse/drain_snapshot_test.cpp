// Snapshot and restore: a restored miner continues exactly as the original would (same ids, same
// templates, same changes), and restore() rejects corrupt input without crashing.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"
#include "runtime/parse/loghub_corpus.hpp"
#include "tests/support/shared_data.hpp"

namespace sp = seerflow::parse;

namespace {

// A synthetic stream exercising every learning path: masked values, words that become
// variables, enumerations that do not, lists, quoted strings, merges and evictions.
std::vector<std::string> synthetic_stream(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> users = {"alice", "bob", "carol", "dave", "erin", "frank"};
  const std::vector<std::string> states = {"RUNNING", "STOPPED", "FAILED"};
  const auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const auto ip = [&] {
    return std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ".0." +
           std::to_string(1 + rng() % 254);
  };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s;
    switch (rng() % 9) {
      case 0:
        s = "Accepted password for " + pick(users) + " from " + ip() + " port " +
            std::to_string(rng() % 65536) + " ssh2";
        break;
      case 1:
        s = "task " + std::to_string(rng() % 100) + " changed state to " + pick(states);
        break;
      case 2: {
        s = "delete blocks";
        const std::size_t k = 1 + rng() % 4;
        for (std::size_t b = 0; b < k; ++b) s += " blk_" + std::to_string(rng() % 1000000);
        break;
      }
      case 3:
        s = "Error '" + pick(users) + " " + pick(users) + "' while saving /var/data/" +
            std::to_string(rng() % 50) + ".db";
        break;
      case 4:
        s = "session opened for user " + pick(users) + " by (uid=" + std::to_string(rng() % 3) +
            ")";
        break;
      case 5:
        s = "component c" + std::to_string(rng() % 40) + " reported " + std::to_string(rng() % 9) +
            " warnings";
        break;
      case 6:
        // Ever new words: a stream of new templates that keeps evicting.
        s = "unique " + std::string(1, static_cast<char>('a' + rng() % 26)) +
            std::string(1, static_cast<char>('a' + rng() % 26)) + " event " +
            std::string(1, static_cast<char>('a' + rng() % 26));
        break;
      case 7:
        s = "Server environment:key" + std::string(1, static_cast<char>('a' + rng() % 26)) +
            "=value " + pick(users);
        break;
      default:
        s = "connection from " + ip() + " (host" + std::to_string(rng() % 9) +
            ".example.com) at Fri Jun 17 07:07:0" + std::to_string(rng() % 10) + " 2005";
    }
    out.push_back(std::move(s));
  }
  return out;
}

struct outcome {
  std::uint64_t id;
  sp::template_change change;
  std::string text;
  std::vector<std::string> params;
  bool operator==(const outcome&) const = default;
};

outcome feed(sp::drain_miner& m, const std::string& line) {
  outcome o;
  const auto r = m.add(line, &o.params);
  o.id = r.cluster_id;
  o.change = r.change;
  o.text = std::string(r.template_text);
  return o;
}

// Runs `lines` uninterrupted and with a snapshot/restore at every split point in `splits`.
void check_equivalence(const sp::drain_options& opt, const std::vector<std::string>& lines,
                       const std::vector<std::size_t>& splits) {
  sp::drain_miner whole(opt);
  std::vector<outcome> expected;
  for (const auto& l : lines) expected.push_back(feed(whole, l));
  for (const std::size_t split : splits) {
    INFO("split at " << split);
    sp::drain_miner first(opt);
    for (std::size_t i = 0; i < split; ++i) feed(first, lines[i]);
    const std::string bytes = first.snapshot();
    auto restored = sp::drain_miner::restore(bytes);
    REQUIRE(restored.has_value());
    CHECK(restored->snapshot() == bytes);  // nothing lost or reordered
    CHECK(restored->cluster_count() == first.cluster_count());
    for (std::size_t i = split; i < lines.size(); ++i) {
      const outcome got = feed(*restored, lines[i]);
      if (!(got == expected[i])) {
        FAIL("line " << i << ": " << lines[i] << "\n  expected " << expected[i].id << " "
                     << expected[i].text << "\n  got      " << got.id << " " << got.text);
      }
    }
    CHECK(restored->snapshot() == whole.snapshot());
  }
}

}  // namespace

TEST_CASE("run half, snapshot, restore, run the rest: the same as an uninterrupted run") {
  const auto lines = synthetic_stream(6000, 7);
  check_equivalence(sp::drain_options{}, lines, {0, 1, 17, 3000, 5999, 6000});
}

TEST_CASE("snapshot equivalence holds under eviction and with custom options") {
  sp::drain_options opt;
  opt.max_clusters = 25;
  opt.max_state_bytes = 6 * 1024;  // evictions by size as well (about ten clusters)
  opt.depth = 5;
  opt.similarity = 0.5;
  opt.extra_delimiters.push_back(';');
  opt.masks.push_back(sp::mask{sp::mask_kind::regex, "host[0-9]+\\.example\\.com"});
  const auto lines = synthetic_stream(5000, 11);
  check_equivalence(opt, lines, {2500, 4999});
  sp::drain_miner m(opt);
  const auto restored = sp::drain_miner::restore(m.snapshot());
  REQUIRE(restored.has_value());
  CHECK(restored->options().max_clusters == 25);
  CHECK(restored->options().depth == 5);
  CHECK(restored->options().similarity == 0.5);
  CHECK(restored->options().extra_delimiters == ";");
  CHECK(restored->options().masks.size() == opt.masks.size());
}

TEST_CASE("snapshot equivalence on the real Loghub logs") {
  const auto dir = seerflow::test::require_shared_data("loghub");
  for (const auto& name : sp::find_loghub_systems(dir)) {
    INFO(name);
    const auto sys = sp::load_loghub_system(dir, name, nullptr);
    REQUIRE(sys.has_value());
    check_equivalence(sp::drain_options{}, sys->contents, {sys->contents.size() / 2});
  }
}

TEST_CASE("restore rejects corrupt snapshots and never crashes") {
  sp::drain_miner m;
  for (const auto& l : synthetic_stream(300, 3)) m.add(l);
  const std::string good = m.snapshot();
  REQUIRE(sp::drain_miner::restore(good).has_value());

  CHECK_FALSE(sp::drain_miner::restore("").has_value());
  CHECK_FALSE(sp::drain_miner::restore("SFDRAIN").has_value());
  CHECK_FALSE(sp::drain_miner::restore("not a snapshot at all").has_value());
  CHECK_FALSE(sp::drain_miner::restore(good + "x").has_value());  // trailing bytes
  std::string wrong_version = good;
  wrong_version[7] = 99;
  CHECK_FALSE(sp::drain_miner::restore(wrong_version).has_value());

  // Every truncation is rejected.
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to " << n);
    REQUIRE_FALSE(sp::drain_miner::restore(std::string_view(good).substr(0, n)).has_value());
  }

  // Random mutations: rejected, or a miner that still works.
  std::mt19937_64 rng(2024);
  std::size_t accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string bad = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % bad.size();
      switch (rng() % 3) {
        case 0:
          bad[at] = static_cast<char>(rng());
          break;
        case 1:
          bad.erase(at, 1 + rng() % 3);
          break;
        default:
          bad.insert(at, 1, static_cast<char>(rng()));
          break;
      }
      if (bad.empty()) bad = "x";
    }
    auto r = sp::drain_miner::restore(bad);
    if (!r) continue;
    ++accepted;
    for (const auto& l : synthetic_stream(50, static_cast<std::uint64_t>(iter))) {
      const auto out = r->add(l);
      REQUIRE(out.cluster_id >= 1);
      REQUIRE(r->template_of(out.cluster_id).has_value());
    }
  }
  // Most mutations land in cluster or token bytes; some still decode to a valid state.
  CHECK(accepted < 3000);

  // Pure random bytes, with and without the magic.
  for (int iter = 0; iter < 2000; ++iter) {
    std::string junk(rng() % 200, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    if (iter % 2) junk = "SFDRAIN" + std::string(1, '\x01') + junk;
    auto r = sp::drain_miner::restore(junk);
    if (r) CHECK(r->add("still alive 42").cluster_id >= 1);
  }
}
