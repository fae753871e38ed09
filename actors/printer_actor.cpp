#include "actors/printer_actor.hpp"

#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/inspect.hpp"
#include "runtime/output/ndjson.hpp"

namespace seerflow::actors {

namespace {
void put_line(std::FILE* out, const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), out);
  std::fputc('\n', out);
}
}  // namespace

sink_actor::behavior_type printer_actor_impl(sink_actor::stateful_pointer<printer_actor_state> self,
                                             system::node_context* ctx) {
  install_exception_handler(self, "printer");
  self->state.out = ctx->analyze.out;
  return {
      [=](const event_batch& b) {
        auto& s = self->state;
        std::size_t r = 0;
        for (const auto& ev : b.events) {
          while (r < b.rejected.size() && b.rejected[r].after_seq < ev.seq) {
            put_line(s.out, output::rejected_line(b.rejected[r++]));
            ++s.rejected;
          }
          put_line(s.out, output::event_line(ev));
          ++s.events;
        }
        for (; r < b.rejected.size(); ++r, ++s.rejected)
          put_line(s.out, output::rejected_line(b.rejected[r]));
      },
      [=](flush_atom, std::uint64_t) { std::fflush(self->state.out); },
      [=](sweep_atom) {},  // the printer keeps no state that needs maintenance
      [=](sync_atom) -> std::uint64_t {
        std::fflush(self->state.out);
        return self->state.events;
      },
      [=](shutdown_atom) {
        std::fflush(self->state.out);
        self->quit();
      },
      [=](inspect_atom) -> std::string {
        return nlohmann::json{{"events_printed", self->state.events},
                              {"rejected_printed", self->state.rejected},
                              {"mailbox", self->mailbox().size()}}
            .dump();
      },
  };
}

}  // namespace seerflow::actors
