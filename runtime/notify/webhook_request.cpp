#include "runtime/notify/webhook_request.hpp"

#include "runtime/notify/alert_json.hpp"
#include "runtime/util/hmac_sha256.hpp"

namespace seerflow::notify {

http_request webhook_request(const std::string& url, const std::string& secret,
                             const model::alert& a, const std::string& action,
                             std::int64_t now_unix_s) {
  http_request r;
  r.url = url;
  auto j = alert_to_json(a);
  j["action"] = action;
  r.body = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("X-Seerflow-Timestamp", std::to_string(now_unix_s));
  if (!secret.empty())
    r.headers.emplace_back("X-Seerflow-Signature",
                           "sha256=" + util::hmac_sha256_hex(secret, r.body));
  return r;
}

}  // namespace seerflow::notify
