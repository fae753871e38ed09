#include "runtime/notify/retry_policy.hpp"

#include <algorithm>

namespace seerflow::notify {

attempt_outcome classify_attempt(long http_status) {
  if (http_status >= 200 && http_status < 300) return attempt_outcome::delivered;
  if (http_status == 0 || http_status == 408 || http_status == 429 || http_status >= 500)
    return attempt_outcome::retry;
  return attempt_outcome::failed;
}

std::int64_t retry_delay_ms(int retry, std::int64_t initial_ms, std::int64_t max_ms,
                            std::mt19937_64& rng) {
  initial_ms = std::max<std::int64_t>(initial_ms, 1);
  max_ms = std::max(max_ms, initial_ms);
  std::int64_t d = initial_ms;
  for (int i = 1; i < retry && d < max_ms; ++i) d *= 2;
  d = std::min(d, max_ms);
  const std::int64_t half = d / 2;
  std::uniform_int_distribution<std::int64_t> jitter(0, d - half);
  return half + jitter(rng);
}

}  // namespace seerflow::notify
