#pragma once
// ${VAR} expansion in scalar values: `${VAR}` (an error when unset), `${VAR:-default}` (the
// default when unset or empty) and `$${` for a literal `${`. The result is plain text: it is
// converted to the key's type but never parsed as YAML again.
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/env_lookup.hpp"

namespace seerflow::config {

// Expands `text` into `out`. Returns false and appends one message per problem (unset
// variable, bad variable name, unterminated `${`) to `errors` when the value cannot be expanded.
bool interpolate(std::string_view text, const env_lookup& env, std::string& out,
                 std::vector<std::string>& errors);

// The inverse for rendering: writes `${` as `$${` so that interpolate(escape(s)) == s.
std::string escape_interpolation(std::string_view text);

}  // namespace seerflow::config
