// Names that the configuration validates on its own (it does not link the template miner) must
// stay the names the miner knows.
#include <catch2/catch.hpp>

#include "runtime/config/settings.hpp"
#include "runtime/parse/masking.hpp"

using namespace seerflow;

TEST_CASE("the default mask list names exactly the miner's built-in kinds") {
  const config::drain_settings d;
  const auto builtin = parse::default_masks();
  REQUIRE(d.masks.size() == builtin.size());
  for (std::size_t i = 0; i < builtin.size(); ++i)
    CHECK(d.masks[i] == parse::mask_kind_name(builtin[i].kind));
}
