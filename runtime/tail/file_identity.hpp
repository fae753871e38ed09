#pragma once
// Which file a reader or a checkpoint is about. Device and inode name the file while it exists;
// a hash of its first bytes tells a recycled inode (the old file deleted, a new one created with
// the same number) from the file the checkpoint was written for.
#include <cstdint>
#include <string>

namespace seerflow::tail {

// Bytes of the file's head that the fingerprint covers (fewer while the file is shorter).
constexpr std::uint32_t fingerprint_span = 256;

struct file_identity {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t fingerprint = 0;  // fnv1a64 of the first fingerprint_len bytes
  std::uint32_t fingerprint_len = 0;

  bool same_inode(const file_identity& o) const { return dev == o.dev && ino == o.ino; }
  bool operator==(const file_identity&) const = default;
};

// Key of a file in maps: device and inode.
struct file_key {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  auto operator<=>(const file_key&) const = default;
};

inline file_key key_of(const file_identity& id) {
  return {id.dev, id.ino};
}

// Hash of the first `len` bytes of the open file `fd` (read with pread, the file position is
// untouched). Returns false when the file has fewer than `len` bytes or cannot be read.
bool fingerprint_of(int fd, std::uint32_t len, std::uint64_t& out);

// Identity of the open file `fd`: device, inode and the fingerprint of up to fingerprint_span
// bytes of its head. Returns false when fstat fails.
bool identity_of(int fd, file_identity& out);

// True when the open file `fd` is the file `recorded` describes: same device and inode, and its
// head still hashes to the recorded fingerprint (a recycled inode does not).
bool matches(int fd, const file_identity& recorded);

}  // namespace seerflow::tail
