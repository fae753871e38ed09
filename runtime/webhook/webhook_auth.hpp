#pragma once
// Who may post to a webhook endpoint: anyone, a holder of a bearer token, or a sender that signs
// the raw body with a shared secret (HMAC-SHA256, GitHub's "X-Hub-Signature-256: sha256=<hex>").
// Secrets are compared in constant time.
#include <string>
#include <string_view>

#include "runtime/net/http/http_message.hpp"

namespace seerflow::webhook {

enum class auth_kind { none, bearer, hmac };

struct auth_spec {
  auth_kind kind = auth_kind::none;
  std::string token;                                     // bearer
  std::string secret;                                    // hmac
  std::string signature_header = "X-Hub-Signature-256";  // hmac
};

// "" when the request may pass; otherwise the reason it is refused (401): "missing_auth" (no
// credentials at all) or "bad_auth" (wrong token, bad or wrong signature).
std::string_view check_auth(const auth_spec& spec, const net::http::request& req);

}  // namespace seerflow::webhook
