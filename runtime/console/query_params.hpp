#pragma once
// The query string of a console API request ("name=store&limit=20"), percent-decoded.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace seerflow::console {

using query_params = std::map<std::string, std::string, std::less<>>;

// '+' is a space, %XX a byte; later repeats of a key replace earlier ones. nullopt for a broken
// escape ("%4", "%zz"), a decoded NUL, or more than 64 parameters or 8 KiB of query.
std::optional<query_params> parse_query(std::string_view query);

}  // namespace seerflow::console
