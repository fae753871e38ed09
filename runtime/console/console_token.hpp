#pragma once
// The console API's bearer token. An operator may set one in the config (`console.token`, with
// ${ENV} interpolation); otherwise the node makes a random one on first start and keeps it in
// <data_dir>/console.token (mode 0600), where `seerflow status` and the operator find it. A
// console without a token is never served: the API can restart actors.
#include <filesystem>
#include <string>
#include <string_view>

namespace seerflow::console {

// The configured token if non-empty, else the file's (created when missing: 32 random bytes as
// hex, written atomically). Throws std::runtime_error naming the file on I/O errors or when the
// file holds no usable token.
std::string load_or_create_token(const std::string& configured,
                                 const std::filesystem::path& data_dir);

// Reads the token file only (for clients on the same host); empty when it is missing.
std::string read_token_file(const std::filesystem::path& data_dir);

// True when `authorization` is "Bearer <token>" (scheme case-insensitive), compared in constant
// time. A null header or an empty token never matches.
bool bearer_matches(const std::string* authorization, std::string_view token);

}  // namespace seerflow::console
