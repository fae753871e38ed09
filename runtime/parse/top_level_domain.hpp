#pragma once
// The built-in list of top-level domains that lets the entity extractor tell a domain name
// (ns.example.com) from a dotted identifier (java.io.IOException, workers2.properties).
#include <cstdint>
#include <string_view>

namespace seerflow::parse {

enum class tld_class : std::uint8_t {
  unknown,    // not a TLD we recognise: a dotted name ending in it is not taken for a domain
  known,      // a real TLD: a well-formed dotted name ending in it is a domain
  ambiguous,  // a real TLD that is also a common file extension or configuration-key word
              // (.py, .sh, .so, .md, .id, .name, .zip...): a domain only in a domain context
};

// Case-insensitive. The list holds every delegated two-letter country code, the legacy generic
// TLDs (com, net, org, edu, gov, mil, int, arpa, info, biz, name, pro...), the private-use
// names seen on real networks (internal, local), .onion, and the new generic TLDs that carry
// real traffic (xyz, top, online, site, shop, app, dev, cloud...). New gTLDs that are mostly
// seen as words in logs (.properties, .host, .security, .stream, .network...) are left out on
// purpose: a missed domain costs less than a Java property or a file taken for one.
tld_class classify_tld(std::string_view label);

}  // namespace seerflow::parse
