#include "runtime/tail/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace seerflow::tail {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& step) {
  throw std::runtime_error("checkpoint " + path + ": " + step + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      errno = e;
      fail(path, "write");
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

void save_checkpoints(const std::string& path, const checkpoint_map& entries, std::uint64_t seq) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& [key, e] : entries) {
    files.push_back({{"dev", e.identity.dev},
                     {"ino", e.identity.ino},
                     {"fingerprint", e.identity.fingerprint},
                     {"fingerprint_len", e.identity.fingerprint_len},
                     {"offset", e.offset},
                     {"line", e.line},
                     {"path", e.path}});
  }
  const nlohmann::json doc{{"version", 1}, {"seq", seq}, {"files", std::move(files)}};
  const std::string text =
      doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(tmp, "open");
  write_all(fd, text, tmp);
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail(tmp, "fsync");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path, "rename");
  // The rename itself is durable only once the directory is synced.
  const auto dir = target.has_parent_path() ? target.parent_path().string() : std::string(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

checkpoint_map load_checkpoints(const std::string& path, std::uint64_t* seq) {
  checkpoint_map out;
  if (seq) *seq = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return out;
    fail(path, "open");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    const auto doc = nlohmann::json::parse(ss.str());
    if (doc.at("version").get<int>() != 1)
      throw std::runtime_error("unknown version " + doc.at("version").dump());
    // Written since the store keeps offsets too; older files have none.
    const std::uint64_t file_seq = doc.contains("seq") ? doc.at("seq").get<std::uint64_t>() : 0;
    for (const auto& f : doc.at("files")) {
      checkpoint_entry e;
      e.identity.dev = f.at("dev").get<std::uint64_t>();
      e.identity.ino = f.at("ino").get<std::uint64_t>();
      e.identity.fingerprint = f.at("fingerprint").get<std::uint64_t>();
      e.identity.fingerprint_len = f.at("fingerprint_len").get<std::uint32_t>();
      if (e.identity.fingerprint_len > fingerprint_span)
        throw std::runtime_error("fingerprint_len out of range");
      e.offset = f.at("offset").get<std::uint64_t>();
      e.line = f.at("line").get<std::uint64_t>();
      e.path = f.at("path").get<std::string>();
      out[key_of(e.identity)] = std::move(e);
    }
    if (seq) *seq = file_seq;
  } catch (const std::exception& ex) {
    throw std::runtime_error("checkpoint " + path + " is corrupt: " + ex.what());
  }
  return out;
}

}  // namespace seerflow::tail
