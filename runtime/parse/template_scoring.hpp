#pragma once
// The standard Loghub metrics for a template miner (GA, FGA, PA, FTA), computed from one true and
// one predicted template string per line. Lines are grouped by template *string*: two clusters
// that end with the same template are one predicted group, exactly as the published tools do.
#include <cstddef>
#include <span>
#include <string>

namespace seerflow::parse {

struct template_score {
  double ga =
      0;  // grouping accuracy: share of lines whose predicted group is exactly their true group
  double fga = 0;  // F1 over groups reproduced exactly
  double pa = 0;   // parsing accuracy: share of lines whose predicted template equals the true one
  double fta = 0;  // F1 over predicted groups that are pure and carry the true template string
  std::size_t lines = 0;
  std::size_t true_groups = 0;
  std::size_t predicted_groups = 0;
};

// `truth[i]` and `predicted[i]` are line i's templates; the spans must have the same length
// (the shorter length is used otherwise).
template_score score_templates(std::span<const std::string> truth,
                               std::span<const std::string> predicted);

}  // namespace seerflow::parse
