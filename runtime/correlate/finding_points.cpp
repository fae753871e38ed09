#include "runtime/correlate/finding_points.hpp"

namespace seerflow::correlate {

double finding_points(const points_table& p, const model::finding& f) {
  if (f.kind == "sigma") {
    if (f.severity == "critical") return p.sigma_critical;
    if (f.severity == "high") return p.sigma_high;
    if (f.severity == "medium") return p.sigma_medium;
    return p.sigma_low;
  }
  if (f.kind == "anomaly") return p.anomaly;
  if (f.kind == "correlation") return p.correlation;
  if (f.kind == "graph") return p.graph;
  return 0;
}

}  // namespace seerflow::correlate
