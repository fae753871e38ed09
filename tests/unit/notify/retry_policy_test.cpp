#include "runtime/notify/retry_policy.hpp"

#include <catch2/catch.hpp>

using namespace seerflow::notify;

TEST_CASE("2xx is delivered; 429, 408, 5xx and transport errors retry; other statuses fail") {
  for (long s : {200L, 201L, 202L, 204L}) CHECK(classify_attempt(s) == attempt_outcome::delivered);
  for (long s : {0L, 408L, 429L, 500L, 502L, 503L, 504L, 599L})
    CHECK(classify_attempt(s) == attempt_outcome::retry);
  for (long s : {100L, 301L, 302L, 400L, 401L, 403L, 404L, 410L, 413L, 422L})
    CHECK(classify_attempt(s) == attempt_outcome::failed);
}

TEST_CASE("retry delays double from the initial delay up to the cap, with equal jitter") {
  std::mt19937_64 rng(42);
  for (int retry = 1; retry <= 12; ++retry) {
    std::int64_t full = 100;
    for (int i = 1; i < retry; ++i) full = std::min<std::int64_t>(full * 2, 5000);
    for (int k = 0; k < 200; ++k) {
      const auto d = retry_delay_ms(retry, 100, 5000, rng);
      INFO("retry " << retry << " delay " << d);
      CHECK(d >= full / 2);
      CHECK(d <= full);
    }
  }
}

TEST_CASE("jitter spreads the delays of agents retrying at once") {
  std::mt19937_64 a(1), b(2);
  int differ = 0;
  for (int i = 0; i < 50; ++i)
    differ += retry_delay_ms(3, 1000, 60000, a) != retry_delay_ms(3, 1000, 60000, b);
  CHECK(differ > 40);
}

TEST_CASE("degenerate backoff settings still give a positive bounded delay") {
  std::mt19937_64 rng(7);
  CHECK(retry_delay_ms(1, 0, 0, rng) >= 0);
  CHECK(retry_delay_ms(1, 0, 0, rng) <= 1);
  CHECK(retry_delay_ms(1000, 10, 20, rng) <= 20);  // no overflow on many retries
  CHECK(retry_delay_ms(1000000, 1000, 86400000, rng) <= 86400000);
  CHECK(retry_delay_ms(1, 50, 10, rng) <= 50);  // a cap below the start
}
