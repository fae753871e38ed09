#pragma once
// PagerDuty Events API v2 bodies (POST https://events.pagerduty.com/v2/enqueue):
//   trigger: routing_key, event_action "trigger", dedup_key, payload {summary (<= 1024
//            characters), source, severity (critical|error|warning|info), timestamp, component,
//            group, class, custom_details (the alert as JSON)}, client
//   resolve: routing_key, event_action "resolve", the same dedup_key
// The dedup_key is the alert id (at most 255 characters, PagerDuty's limit), so the resolve an
// analyst's false-positive verdict sends closes exactly the incident its trigger opened.
#include <string>

#include "runtime/model/alert.hpp"

namespace seerflow::notify {

std::string pagerduty_trigger(const std::string& routing_key, const model::alert& a);
std::string pagerduty_resolve(const std::string& routing_key, const std::string& alert_id);

// Our severities onto PagerDuty's: critical→critical, high→error, medium→warning, else info.
std::string pagerduty_severity(const std::string& severity);

// The dedup_key sent for an alert id.
std::string pagerduty_dedup_key(const std::string& alert_id);

}  // namespace seerflow::notify
