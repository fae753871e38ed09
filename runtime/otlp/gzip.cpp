#include "runtime/otlp/gzip.hpp"

#include <zlib.h>

namespace seerflow::otlp {

gunzip_status gunzip(std::string_view in, std::size_t max_out, std::string& out) {
  out.clear();
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return gunzip_status::bad;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  gunzip_status status = gunzip_status::bad;
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > max_out) {
      status = gunzip_status::too_large;
      break;
    }
    out.append(buf, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        status = gunzip_status::ok;
        break;
      }
      if (inflateReset(&zs) != Z_OK) break;  // another member follows
      continue;
    }
    if (rc != Z_OK) break;  // data error, or truncated input (Z_BUF_ERROR)
    if (zs.avail_in == 0 && produced == 0) break;
  }
  inflateEnd(&zs);
  if (status != gunzip_status::ok) out.clear();
  return status;
}

}  // namespace seerflow::otlp
