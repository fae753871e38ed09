#include "runtime/console/console_token.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime/util/hmac_sha256.hpp"

namespace seerflow::console {

namespace {

constexpr const char* file_name = "console.token";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool usable(std::string_view t) {
  if (t.size() < 16 || t.size() > 512) return false;
  for (char c : t)
    if (c <= ' ' || c > '~') return false;
  return true;
}

}  // namespace

std::string read_token_file(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / file_name, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return trimmed(ss.str());
}

std::string load_or_create_token(const std::string& configured,
                                 const std::filesystem::path& data_dir) {
  if (!configured.empty()) {
    if (!usable(configured))
      throw std::runtime_error(
          "console.token must be 16 to 512 printable characters without spaces");
    return configured;
  }
  const auto path = data_dir / file_name;
  if (std::filesystem::exists(path)) {
    auto t = read_token_file(data_dir);
    if (!usable(t))
      throw std::runtime_error(path.string() +
                               " holds no usable token (16-512 printable characters); delete it "
                               "to have a new one made");
    return t;
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("no random bytes for the console token");
  static constexpr char digits[] = "0123456789abcdef";
  std::string token;
  for (auto b : bytes) {
    token.push_back(digits[b >> 4]);
    token.push_back(digits[b & 0xF]);
  }
  // Written under a temporary name with mode 0600 from the start, then renamed: nobody ever
  // reads a half-written token or one readable by others.
  const auto tmp = data_dir / (std::string(file_name) + ".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp.string());
  const std::string line = token + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (!ok) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + ": " + ec.message());
  return token;
}

bool bearer_matches(const std::string* authorization, std::string_view token) {
  if (authorization == nullptr || token.empty()) return false;
  std::string_view h(*authorization);
  constexpr std::string_view scheme = "bearer ";
  if (h.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(h[i])) != scheme[i]) return false;
  h.remove_prefix(scheme.size());
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  return util::constant_time_equal(h, token);
}

}  // namespace seerflow::console
