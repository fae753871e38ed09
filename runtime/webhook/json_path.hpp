#pragma once
// Where a mapped value lives in a webhook payload. Two spellings:
//   dotted   commits.0.author.name   object keys separated by '.', array elements by index
//   pointer  /commits/0/author/name  RFC 6901 JSON pointer (~1 is '/', ~0 is '~'), for keys
//                                    that contain dots ("/labels/app.kubernetes.io~1name")
// Resolution never throws and never allocates: a missing key, an index past the end or a step
// into a scalar simply finds nothing.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace seerflow::webhook {

class json_path {
 public:
  static constexpr std::size_t max_steps = 64;

  // nullopt with `error` set for an empty path, an empty step ("a..b"), a bad escape or more
  // than max_steps steps.
  static std::optional<json_path> parse(std::string_view spec, std::string& error);

  const nlohmann::json* resolve(const nlohmann::json& root) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> steps_;
};

}  // namespace seerflow::webhook
