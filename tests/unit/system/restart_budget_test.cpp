// Restart intensity as in Erlang/OTP: at most max_restarts restarts within a sliding window;
// one more and the supervisor gives up. Driven with explicit time points, never a real clock.
#include <catch2/catch.hpp>

#include <chrono>

#include "runtime/system/restart_budget.hpp"

using seerflow::system::restart_budget;
using namespace std::chrono_literals;

namespace {

restart_budget::clock::time_point at(std::chrono::milliseconds ms) {
  return restart_budget::clock::time_point{} + 1000h + ms;  // far from the clock's epoch
}

}  // namespace

TEST_CASE("up to max_restarts within the window are allowed, one more is not") {
  restart_budget b(3, 10s);
  CHECK(b.recent() == 0);
  CHECK(b.allow(at(0ms)));
  CHECK(b.allow(at(1000ms)));
  CHECK(b.allow(at(2000ms)));
  CHECK(b.recent() == 3);
  CHECK_FALSE(b.allow(at(3000ms)));
  CHECK(b.recent() == 4);
}

TEST_CASE("restarts at the same instant all count") {
  restart_budget b(2, 1s);
  CHECK(b.allow(at(5ms)));
  CHECK(b.allow(at(5ms)));
  CHECK_FALSE(b.allow(at(5ms)));
}

TEST_CASE("stamps older than the window expire") {
  restart_budget b(2, 10s);
  CHECK(b.allow(at(0ms)));
  CHECK(b.allow(at(4000ms)));
  // At 10 s the stamp of 0 s is exactly `within` old: it has left the window (now - within, now].
  CHECK(b.allow(at(10000ms)));
  CHECK(b.recent() == 2);
  CHECK_FALSE(b.allow(at(13999ms)));  // 4 s, 10 s and 13.999 s are all inside
  CHECK(b.recent() == 3);
  CHECK(b.allow(at(30000ms)));  // a quiet spell clears everything before it
  CHECK(b.recent() == 1);
}

TEST_CASE("a steady trickle below the intensity is allowed forever") {
  restart_budget b(1, 10s);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(b.allow(at(std::chrono::milliseconds(10001LL * i))));
    REQUIRE(b.recent() == 1);
  }
  // Two inside one window is too many.
  CHECK_FALSE(b.allow(at(std::chrono::milliseconds(10001LL * 999 + 5000))));
}

TEST_CASE("max_restarts 0 never allows a restart; a negative maximum is taken as 0") {
  restart_budget zero(0, 10s);
  CHECK_FALSE(zero.allow(at(0ms)));
  CHECK_FALSE(zero.allow(at(100000ms)));
  restart_budget negative(-5, 10s);
  CHECK_FALSE(negative.allow(at(0ms)));
}

TEST_CASE("the restart being recorded counts even in a zero-length window") {
  restart_budget b(0, 0s);
  CHECK_FALSE(b.allow(at(0ms)));
  CHECK(b.recent() == 1);
  restart_budget one(1, 0s);
  CHECK(one.allow(at(0ms)));
  CHECK(one.allow(at(0ms)));  // the earlier one has already left a zero-length window
  CHECK(one.recent() == 1);
}
