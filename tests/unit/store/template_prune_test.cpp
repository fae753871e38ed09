// `templates prune`: templates unseen since the cutoff go (only rare ones with max_events),
// the events that pointed at them keep their text and lose the link, a dry run reports the same
// and changes nothing, and the store takes the template again when it is seen again.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "runtime/store/template_prune.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::make_event;
using store::test::open_reader;
using store::test::temp_dir;

namespace {

constexpr std::int64_t day_ns = 86'400LL * 1'000'000'000;
constexpr std::int64_t now_ns = 1'800'000'000LL * 1'000'000'000;

void fill(const std::string& path) {
  event_store st({path});
  std::vector<model::event> events;
  // Template 1: old and frequent; 2: old and rare; 3: recent.
  for (int i = 0; i < 5; ++i)
    events.push_back(make_event(now_ns - 60 * day_ns + i, "disk full on /var " + std::to_string(i),
                                {}, 1, "disk full on /var <*>"));
  events.push_back(make_event(now_ns - 50 * day_ns, "kernel oops", {}, 2, "kernel oops"));
  events.push_back(make_event(now_ns - day_ns, "user login ok", {}, 3, "user login ok"));
  st.add_events(events);
  st.commit();
}

std::vector<std::uint64_t> ids(const prune_result& r) {
  std::vector<std::uint64_t> out;
  for (const auto& t : r.templates) out.push_back(t.template_id);
  return out;
}

}  // namespace

TEST_CASE("templates unseen since the cutoff are pruned with their links") {
  temp_dir dir;
  const auto path = dir.file("prune.db");
  fill(path);
  prune_options o;
  o.unseen_since_ns = now_ns - 30 * day_ns;

  SECTION("a dry run reports and changes nothing") {
    o.dry_run = true;
    sqlite_db db(path);
    const auto r = prune_templates(db, o);
    CHECK(ids(r) == std::vector<std::uint64_t>{1, 2});
    CHECK(r.events_unlinked == 6);
    CHECK(r.templates[0].text == "disk full on /var <*>");
    CHECK(r.templates[0].event_count == 5);
    CHECK(db.query_int64("SELECT count(*) FROM templates") == 3);
    CHECK(db.query_int64("SELECT count(*) FROM events WHERE template_id IS NULL") == 0);
  }
  SECTION("--max-events keeps the frequent ones") {
    o.max_events = 1;
    sqlite_db db(path);
    const auto r = prune_templates(db, o);
    CHECK(ids(r) == std::vector<std::uint64_t>{2});
    CHECK(r.events_unlinked == 1);
    CHECK(db.query_text("SELECT group_concat(template_id, ',') FROM (SELECT template_id FROM "
                        "templates ORDER BY 1)") == "1,3");
  }
  SECTION("pruning removes them; their events stay; a template seen again comes back") {
    {
      sqlite_db db(path);
      const auto r = prune_templates(db, o);
      CHECK(ids(r) == std::vector<std::uint64_t>{1, 2});
      CHECK(r.events_unlinked == 6);
      CHECK(db.query_int64("SELECT count(*) FROM templates") == 1);
      CHECK(db.query_int64("SELECT count(*) FROM events") == 7);
      CHECK(db.query_int64("SELECT count(*) FROM events WHERE template_id IS NULL") == 6);
      CHECK(db.query_text("SELECT message FROM events WHERE id = 6") == "kernel oops");
      // Nothing left to prune.
      CHECK(prune_templates(db, o).templates.empty());
    }
    {
      event_store st({path});
      st.add_events({make_event(now_ns, "kernel oops", {}, 2, "kernel oops")});
      st.commit();
    }
    auto db = open_reader(path);
    CHECK(db.query_int64("SELECT event_count FROM templates WHERE template_id = 2") == 1);
  }
}
