#pragma once
// OpenTelemetry's SeverityNumber (1-24: TRACE, DEBUG, INFO, WARN, ERROR, FATAL, four steps each)
// on the syslog scale the rest of the pipeline uses (0 emergency .. 7 debug).
#include <cstdint>

namespace seerflow::otlp {

// -1 for 0 (unspecified) and numbers outside 1-24. TRACE and DEBUG are syslog debug (7), INFO
// info (6), WARN warning (4), ERROR err (3); FATAL is crit (2), its upper steps alert (1) and
// emerg (0), so an exporter's finer grades survive where syslog has them.
constexpr std::int8_t syslog_severity(std::int64_t otel) {
  if (otel < 1 || otel > 24) return -1;
  if (otel <= 8) return 7;
  if (otel <= 12) return 6;
  if (otel <= 16) return 4;
  if (otel <= 20) return 3;
  if (otel <= 22) return 2;
  if (otel == 23) return 1;
  return 0;
}

}  // namespace seerflow::otlp
