#pragma once
// JSON text for the params and fields columns, written by hand into a reused buffer (no
// allocation per event once the buffer has grown). Output is always valid JSON: control
// characters are escaped and invalid UTF-8 is replaced with U+FFFD.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/event.hpp"

namespace seerflow::store {

// Appends `s` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

// `out` = ["p1","p2",...]; empty input gives an empty `out` (stored as NULL).
void write_json_array(std::string& out, const std::vector<std::string>& items);

// `out` = {"k1":"v1",...} in the fields' order (a repeated key is kept, as it came);
// empty input gives an empty `out`.
void write_json_object(std::string& out, const std::vector<model::field>& fields);

// 8-4-4-4-12 lower-case hex.
std::array<char, 36> format_uuid(const model::uuid& id);

// `out` = [{"type":..,"value":..,"id":".."},...] (an alert's entities); empty input: empty.
void write_alert_entities(std::string& out, const std::vector<model::entity_ref>& entities);

// `out` = [n1,n2,...]; empty input: empty.
void write_int_array(std::string& out, const std::vector<std::uint64_t>& values);

}  // namespace seerflow::store
