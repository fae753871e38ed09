#pragma once
// Turns an exception escaping a handler into an actor exit whose reason carries the message, and
// logs it, so a supervisor's log says why a child died.
#include <exception>
#include <string>

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include "runtime/util/log.hpp"

namespace seerflow::actors {

template <class Self>
void install_exception_handler(Self* self, std::string what) {
  self->set_exception_handler([what](std::exception_ptr& eptr) -> caf::error {
    std::string msg = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      msg = e.what();
    } catch (...) {
    }
    log::error(what, "failed: ", msg);
    return caf::make_error(caf::sec::runtime_error, msg);
  });
}

}  // namespace seerflow::actors
