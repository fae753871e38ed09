#pragma once
// The Sigma condition language: and/or/not with precedence, parentheses, `1 of`/`any of`/
// `all of` over identifier patterns and `them`. Patterns are expanded at parse time into plain
// identifier references; a pattern that selects nothing drops out of the expression.
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/rule.hpp"

namespace seerflow::rules {

// Parses `text` against the rule's search identifiers (indices into `identifiers` become
// cond_node::ident operands). Returns false with a reason on any syntax or reference error,
// including upper-case operators and the obsolete `| count()` aggregation syntax.
bool parse_condition(std::string_view text, const std::vector<std::string>& identifiers,
                     condition_tree& out, std::string& error);

}  // namespace seerflow::rules
