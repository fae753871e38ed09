#pragma once
// Microsoft Teams: an Adaptive Card (a bold title, a FactSet of severity, rule, entity, ATT&CK,
// kind, source, time, count and id) in the {"type":"message","attachments":[...]} envelope that
// Teams incoming webhooks and Workflows ("post to a channel when a webhook request is
// received") accept.
#include <string>

#include "runtime/model/alert.hpp"

namespace seerflow::notify {

std::string teams_payload(const model::alert& a);

}  // namespace seerflow::notify
