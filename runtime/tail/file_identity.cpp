#include "runtime/tail/file_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string_view>

#include "runtime/util/hash.hpp"

namespace seerflow::tail {

bool fingerprint_of(int fd, std::uint32_t len, std::uint64_t& out) {
  std::array<char, fingerprint_span> buf{};
  if (len > buf.size()) return false;
  std::size_t got = 0;
  while (got < len) {
    const auto n = ::pread(fd, buf.data() + got, len - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  out = util::fnv1a64(std::string_view(buf.data(), len));
  return true;
}

bool identity_of(int fd, file_identity& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  out.dev = static_cast<std::uint64_t>(st.st_dev);
  out.ino = static_cast<std::uint64_t>(st.st_ino);
  out.fingerprint_len = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), fingerprint_span));
  // A file being written may be shorter than st_size said a moment ago: retry with less.
  while (!fingerprint_of(fd, out.fingerprint_len, out.fingerprint)) {
    if (out.fingerprint_len == 0) return false;
    out.fingerprint_len /= 2;
  }
  return true;
}

bool matches(int fd, const file_identity& recorded) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  if (static_cast<std::uint64_t>(st.st_dev) != recorded.dev ||
      static_cast<std::uint64_t>(st.st_ino) != recorded.ino)
    return false;
  std::uint64_t fp = 0;
  return fingerprint_of(fd, recorded.fingerprint_len, fp) && fp == recorded.fingerprint;
}

}  // namespace seerflow::tail
