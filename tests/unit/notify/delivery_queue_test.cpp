#include "runtime/notify/delivery_queue.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

#include "runtime/notify/alert_json.hpp"
#include "runtime/store/event_store.hpp"
#include "tests/unit/notify/notify_test_alert.hpp"

using namespace seerflow;
using namespace seerflow::notify;
using notify::test::sample_alert;

namespace {

struct temp_db {
  std::filesystem::path dir;
  temp_db() {
    dir = std::filesystem::temp_directory_path() /
          ("seerflow-queue-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir);
  }
  ~temp_db() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "seerflow.db").string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

}  // namespace

TEST_CASE("a queued delivery is due at once, rescheduled on retry, removed when finished") {
  temp_db t;
  delivery_queue q(t.path());
  const auto a = sample_alert();
  CHECK(q.add("slack", a, "trigger", 1000));
  CHECK_FALSE(q.add("slack", a, "trigger", 2000));  // once per sink, alert and action
  CHECK(q.add("teams", a, "trigger", 1000));
  CHECK(q.pending_count("slack") == 1);
  auto due = q.due("slack", 1000, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].alert_id == a.id);
  CHECK(due[0].action == "trigger");
  CHECK(due[0].attempts == 0);
  CHECK(alert_from_json(due[0].alert_json)->title == a.title);
  CHECK(q.due("slack", 999, 10).empty());

  q.reschedule(due[0].id, 1, 5000, "HTTP 503");
  CHECK(q.due("slack", 4999, 10).empty());
  CHECK(q.next_due("slack") == 5000);
  due = q.due("slack", 5000, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].attempts == 1);

  q.finish(due[0], "slack", "delivered", 2, 200, "", 6000);
  CHECK(q.pending_count("slack") == 0);
  CHECK_FALSE(q.next_due("slack"));
  CHECK(q.pending_count("teams") == 1);
  CHECK(q.db().query_int64("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered' "
                           "AND attempts = 2 AND http_status = 200") == 1);
}

TEST_CASE("delivered PagerDuty triggers are found for a resolve") {
  temp_db t;
  delivery_queue q(t.path());
  const auto a = sample_alert();
  q.add("pd", a, "trigger", 1);
  q.add("pd2", a, "trigger", 1);
  q.add("hook", a, "trigger", 1);
  auto pd = q.due("pd", 1, 10);
  auto pd2 = q.due("pd2", 1, 10);
  auto hook = q.due("hook", 1, 10);
  q.finish(pd[0], "pagerduty", "delivered", 1, 202, "", 2);
  q.finish(pd2[0], "pagerduty", "failed", 3, 400, "HTTP 400", 2);
  q.finish(hook[0], "webhook", "delivered", 1, 200, "", 2);
  CHECK(q.delivered_sinks(a.id, "pagerduty", "trigger") == std::vector<std::string>{"pd"});
  CHECK(q.delivered_sinks("nope", "pagerduty", "trigger").empty());
}

TEST_CASE("verdicts land on a stored alert and in the history; unknown ids are refused") {
  temp_db t;
  {
    store::event_store st({t.path()});
    st.add_alerts({sample_alert()});
    st.commit();
  }
  delivery_queue q(t.path());
  CHECK(q.record_verdict(sample_alert().id, "fp", "lab scanner", 10));
  CHECK(q.record_verdict(sample_alert().id, "tp", "", 20));
  CHECK_FALSE(q.record_verdict("no-such-alert", "tp", "", 30));
  CHECK(q.db().query_text("SELECT verdict FROM alerts") == "tp");
  CHECK(q.db().query_int64("SELECT count(*) FROM alert_verdicts") == 2);
  CHECK(q.db().query_text("SELECT note FROM alert_verdicts WHERE verdict = 'fp'") == "lab scanner");
}

TEST_CASE("a file that is not a database is refused with an error") {
  temp_db t;
  {
    std::FILE* f = std::fopen(t.path().c_str(), "wb");
    std::fputs("this is not sqlite, just text that is long enough to have a header.......", f);
    std::fclose(f);
  }
  CHECK_THROWS(delivery_queue(t.path()));
  CHECK_THROWS(delivery_queue(""));
}
