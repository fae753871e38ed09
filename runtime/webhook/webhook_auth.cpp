#include "runtime/webhook/webhook_auth.hpp"

#include "runtime/util/hmac_sha256.hpp"

namespace seerflow::webhook {

std::string_view check_auth(const auth_spec& spec, const net::http::request& req) {
  switch (spec.kind) {
    case auth_kind::none:
      return "";
    case auth_kind::bearer: {
      const auto* h = req.header("authorization");
      if (h == nullptr || h->empty()) return "missing_auth";
      std::string_view v(*h);
      constexpr std::string_view scheme = "bearer ";
      if (v.size() < scheme.size() || !net::http::iequals(v.substr(0, scheme.size()), scheme))
        return "bad_auth";
      v.remove_prefix(scheme.size());
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return util::constant_time_equal(v, spec.token) ? "" : "bad_auth";
    }
    case auth_kind::hmac: {
      const auto* h = req.header(spec.signature_header);
      if (h == nullptr || h->empty()) return "missing_auth";
      return util::verify_hub_signature(spec.secret, req.body, *h) ? "" : "bad_auth";
    }
  }
  return "bad_auth";
}

}  // namespace seerflow::webhook
