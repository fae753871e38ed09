#include "runtime/parse/uuid5.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace seerflow::parse;
using seerflow::model::entity_type;
using seerflow::model::uuid;

namespace {

std::string u5(const uuid& ns, std::string_view name) {
  return format_uuid(uuid5(ns, name));
}

}  // namespace

TEST_CASE("uuid5 matches published vectors") {
  // Python documentation: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
  CHECK(u5(namespace_dns, "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  // RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
  CHECK(u5(namespace_dns, "www.example.com") == "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST_CASE("uuid5 sets version 5 and the RFC 4122 variant") {
  for (const std::string& name :
       {std::string(), std::string("a"), std::string("root"), std::string(300, 'z')}) {
    const uuid id = uuid5(namespace_url, name);
    CHECK((id[6] >> 4) == 5);
    CHECK((id[8] & 0xC0) == 0x80);
  }
}

TEST_CASE("entity namespaces are derived from the URL namespace and fixed") {
  // uuid5(NAMESPACE_URL, "https://seerflow.dev/ns/entity/<type>"), computed independently
  // with Python's uuid module. Changing any of these changes every stored entity id.
  CHECK(format_uuid(entity_namespace(entity_type::ip)) == "990ed6c9-c440-50b5-b671-7775188515e6");
  CHECK(format_uuid(entity_namespace(entity_type::user)) == "3d54abaa-fe2d-515d-9323-b3053e7a7f4e");
  CHECK(format_uuid(entity_namespace(entity_type::host)) == "10a66b1f-5e0d-50d8-8ff1-55f3e84cf43f");
  CHECK(format_uuid(entity_namespace(entity_type::file)) == "74c2bfe9-92d8-59d0-843e-c925b3870748");
  CHECK(format_uuid(entity_namespace(entity_type::domain)) ==
        "4ef5ea2f-373a-51c9-820b-7216d0b2ab41");
  CHECK(format_uuid(entity_namespace(entity_type::process)) ==
        "93b01892-6556-54f6-9c40-e6bb24b457d9");
  CHECK(format_uuid(entity_id(entity_type::ip, "10.0.0.1")) ==
        "2b7610f7-1dab-51ff-9d71-b85e3a1b199a");
  CHECK(format_uuid(entity_id(entity_type::user, "root")) ==
        "dca06c79-c78b-5e01-94ab-0f36c3132d8e");
  // The same value under two types is two entities.
  CHECK(entity_id(entity_type::host, "root") != entity_id(entity_type::user, "root"));
  // An out-of-range type (e.g. from a corrupt peer message) gets the nil namespace.
  CHECK(entity_namespace(static_cast<entity_type>(200)) == uuid{});
}

TEST_CASE("format_uuid and parse_uuid round-trip") {
  const uuid id = uuid5(namespace_dns, "python.org");
  uuid back{};
  REQUIRE(parse_uuid("886313e1-3b8a-5372-9b90-0c9aee199e5d", back));
  CHECK(back == id);
  uuid upper{};
  REQUIRE(parse_uuid("886313E1-3B8A-5372-9B90-0C9AEE199E5D", upper));
  CHECK(upper == id);
  uuid bare{};
  REQUIRE(parse_uuid("886313e13b8a53729b900c9aee199e5d", bare));
  CHECK(bare == id);
  CHECK(format_uuid(uuid{}) == "00000000-0000-0000-0000-000000000000");
}

TEST_CASE("parse_uuid rejects malformed text and leaves the output alone") {
  const uuid sentinel = uuid5(namespace_dns, "sentinel");
  for (std::string_view bad :
       {"", "886313e1", "886313e1-3b8a-5372-9b90-0c9aee199e5",
        "886313e1-3b8a-5372-9b90-0c9aee199e5dd", "886313e1_3b8a_5372_9b90_0c9aee199e5d",
        "886313g1-3b8a-5372-9b90-0c9aee199e5d", "{886313e1-3b8a-5372-9b90-0c9aee199e5d}",
        "886313e13b8a-5372-9b90-0c9aee199e5d-", "886313e13b8a53729b900c9aee199e5z"}) {
    uuid out = sentinel;
    CHECK_FALSE(parse_uuid(bad, out));
    CHECK(out == sentinel);
  }
}

TEST_CASE("uuid5 is deterministic and spreads") {
  std::set<uuid> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string v = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    const uuid a = entity_id(entity_type::ip, v);
    CHECK(a == entity_id(entity_type::ip, v));
    seen.insert(a);
  }
  CHECK(seen.size() == 10000);
}
