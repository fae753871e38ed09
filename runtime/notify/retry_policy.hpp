#pragma once
// What to do after one HTTP attempt, and when to try again. 2xx is delivered; 429, 5xx, 408
// and transport errors (refused, reset, timed out, DNS) are retried with exponential backoff
// and jitter; any other status (400 bad payload, 401/403 bad key, 404 wrong URL) will not get
// better by itself and is failed at once, and so is an attempt beyond max_retries.
#include <cstdint>
#include <random>

namespace seerflow::notify {

enum class attempt_outcome { delivered, retry, failed };

// http_status 0 means no HTTP response (a transport error).
attempt_outcome classify_attempt(long http_status);

// Delay before retry number `retry` (1 = the first retry): initial·2^(retry-1), capped at
// max_ms, then "equal jitter": half of it fixed, half uniformly random, so a fleet of agents
// whose receiver came back does not retry in lockstep.
std::int64_t retry_delay_ms(int retry, std::int64_t initial_ms, std::int64_t max_ms,
                            std::mt19937_64& rng);

}  // namespace seerflow::notify
