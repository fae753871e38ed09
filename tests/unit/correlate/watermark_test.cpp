// The event-time watermark: newest time minus the allowed lateness; older findings are late.
#include <catch2/catch.hpp>

#include <limits>

#include "runtime/correlate/watermark.hpp"

using seerflow::correlate::watermark;

TEST_CASE("the watermark trails the newest event time by the allowed lateness") {
  watermark w(100);
  CHECK(w.empty());
  CHECK(w.value() == std::numeric_limits<std::int64_t>::min());
  CHECK_FALSE(w.observe(1000));
  CHECK(w.value() == 900);
  CHECK_FALSE(w.observe(950));  // behind the newest, within the lateness
  CHECK_FALSE(w.observe(900));  // exactly at the watermark
  CHECK(w.observe(899));        // late
  CHECK(w.newest_ns() == 1000);
  CHECK_FALSE(w.observe(2000));
  CHECK(w.value() == 1900);
  CHECK(w.observe(1000));
}

TEST_CASE("the watermark saturates instead of overflowing") {
  watermark w(1000);
  w.observe(std::numeric_limits<std::int64_t>::min() + 5);
  CHECK(w.value() == std::numeric_limits<std::int64_t>::min());
  watermark neg(-7);  // a negative lateness is none
  CHECK(neg.allowed_lateness_ns() == 0);
}
