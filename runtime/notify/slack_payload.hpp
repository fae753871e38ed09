#pragma once
// Slack incoming-webhook message in Block Kit: a header (the title), a section whose fields are
// severity, rule, entity and ATT&CK, and a context line (kind, source, time, count, id). `text`
// is the plain fallback Slack shows in notifications. Texts are cut to Slack's block limits
// (header 150 characters, field 2000), so a long title never gets the message refused.
#include <string>

#include "runtime/model/alert.hpp"

namespace seerflow::notify {

std::string slack_payload(const model::alert& a);

// Cuts `s` to at most `max` bytes on a UTF-8 boundary, ending with "…" when cut.
std::string cut_text(std::string s, std::size_t max);

}  // namespace seerflow::notify
