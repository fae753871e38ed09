#pragma once
// The registry in Prometheus' text exposition format (version 0.0.4), for the console's
// /metrics: one # TYPE line per metric family, counters with the "_total" suffix, every name
// prefixed "seerflow_" and reduced to the characters Prometheus allows.
#include <string>
#include <vector>

#include "runtime/metrics/registry.hpp"

namespace seerflow::metrics {

// `samples` as snapshot() returns them (sorted by name). Label values are escaped (\\, \", \n);
// names and label names that are not [a-zA-Z_:][a-zA-Z0-9_:]* have the other characters
// replaced by '_'. A family that holds both counters and gauges under one name is rendered as
// two families (the gauge one suffixed "_gauge"), so the output always parses.
std::string prometheus_text(const std::vector<sample>& samples);

}  // namespace seerflow::metrics
