#pragma once
// Gzip request bodies (Content-Encoding: gzip, RFC 1952) inflated with zlib under a size bound,
// so a small "zip bomb" cannot make us allocate more than the request limit.
#include <cstddef>
#include <string>
#include <string_view>

namespace seerflow::otlp {

enum class gunzip_status { ok, too_large, bad };

// On ok `out` holds the inflated bytes (at most max_out). Concatenated gzip members are read
// in turn, as gzip(1) does.
gunzip_status gunzip(std::string_view in, std::size_t max_out, std::string& out);

}  // namespace seerflow::otlp
