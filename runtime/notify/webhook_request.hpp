#pragma once
// The generic JSON webhook: the alert as JSON (alert_json.hpp), with
//   X-Seerflow-Timestamp: <Unix seconds when sent>
//   X-Seerflow-Signature: sha256=<lower-case hex HMAC-SHA256 of the raw body, keyed by the secret>
// so a receiver checks the body byte for byte before parsing it. No secret: no signature header.
#include <cstdint>
#include <string>

#include "runtime/model/alert.hpp"
#include "runtime/notify/http_request.hpp"

namespace seerflow::notify {

// `action` is "trigger" for a new alert and "resolve" when an analyst marked it a false
// positive; it is the body's "action" field.
http_request webhook_request(const std::string& url, const std::string& secret,
                             const model::alert& a, const std::string& action,
                             std::int64_t now_unix_s);

}  // namespace seerflow::notify
