#pragma once
// A query the store cannot answer as asked (a bad full-text expression, an unknown entity
// type): reported to the user as a message, never thrown past the command.
#include <stdexcept>
#include <string>

namespace seerflow::query {

class query_error : public std::runtime_error {
 public:
  explicit query_error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace seerflow::query
