#pragma once
// What every actor adds to its inspect view: its mailbox length. Only the actor itself may read
// its mailbox (CAF's inbox is single-consumer), so each inspect handler adds it from inside.
#include <nlohmann/json.hpp>

namespace seerflow::actors {

template <class Self>
void add_mailbox(nlohmann::ordered_json& j, Self* self) {
  j["mailbox"] = self->mailbox().size();
}

// For views built as a string elsewhere (runtime/state): re-opens the object to add the field.
template <class Self>
std::string with_mailbox(const std::string& view, Self* self) {
  auto j = nlohmann::ordered_json::parse(view, nullptr, false);
  if (!j.is_object()) j = nlohmann::ordered_json{{"view", view}};
  add_mailbox(j, self);
  return j.dump();
}

}  // namespace seerflow::actors
