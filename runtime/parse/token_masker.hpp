#pragma once
// The scanner behind the masks of runtime/parse/masking.hpp. It rewrites one whitespace-free
// token into its *shape*: the token with each variable part replaced by "<*>" ("uid=0" ->
// "uid=<*>", "[10.0.0.1]" -> "[<*>]"), and recognises date/time parts that span several tokens
// ("Fri Jun 17 07:07:00 2005"). One left-to-right pass, no allocation, no regex.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/parse/masking.hpp"

namespace seerflow::parse {

// What the date/time merger needs to know about a token.
enum class date_part : std::uint8_t { none, weekday, month, day, year, time, date, zone };

class token_masker {
 public:
  explicit token_masker(const std::vector<mask>& masks);

  bool enabled(mask_kind k) const { return (bits_ >> static_cast<unsigned>(k)) & 1u; }

  struct shape_info {
    std::size_t vars = 0;  // "<*>" parts in the shape
    bool digit = false;    // the shape holds a decimal digit
  };

  // Appends the shape of `token` to `out`.
  shape_info shape(std::string_view token, std::string& out) const;
  // The shape of a token longer than `limit` bytes: its first `limit` bytes, then one variable
  // for the rest ("environment:java.class.path=/a.jar:/b.jar:..." keeps "environment:").
  shape_info shape_truncated(std::string_view token, std::size_t limit, std::string& out) const;

  // Applies the rendering conventions to a shape assembled in `out` from position `from` (a
  // token built from several pieces, as custom masks do) and describes it.
  shape_info finish(std::string& out, std::size_t from) const;

  // Classifies a token for the multi-token date/time merger (none when datetime is off).
  date_part classify_date_part(std::string_view token) const;

 private:
  // Each scanner returns the end of its match starting at `i`, or 0 for no match.
  std::size_t scan_url(std::string_view t, std::size_t i) const;
  std::size_t scan_path(std::string_view t, std::size_t i) const;
  std::size_t scan_email(std::string_view t, std::size_t i) const;
  std::size_t scan_uuid(std::string_view t, std::size_t i) const;
  std::size_t scan_mac(std::string_view t, std::size_t i) const;
  std::size_t scan_ipv6(std::string_view t, std::size_t i) const;
  std::size_t scan_ipv4_endpoint(std::string_view t, std::size_t i) const;
  std::size_t scan_time(std::string_view t, std::size_t i) const;
  std::size_t scan_hex(std::string_view t, std::size_t i) const;
  std::size_t scan_number(std::string_view t, std::size_t i) const;
  std::size_t scan_quantity(std::string_view t, std::size_t i) const;
  std::size_t scan_iso_duration(std::string_view t, std::size_t i) const;
  std::size_t scan_identifier(std::string_view t, std::size_t i) const;
  std::size_t scan_host(std::string_view t, std::size_t i) const;
  std::size_t scan_port_suffix(std::string_view t, std::size_t i) const;

  std::uint32_t bits_ = 0;
};

}  // namespace seerflow::parse
