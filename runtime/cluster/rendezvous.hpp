#pragma once
// Rendezvous (highest-random-weight) placement: an id lives on the member whose (member, id)
// weight is largest. Every node computes the same owner from the same member list, and when a
// member joins or leaves only the ids it wins or held move (about 1/n of them), unlike modulo
// hashing which reshuffles almost everything.
#include <cstdint>
#include <string>
#include <vector>

namespace seerflow::cluster {

class rendezvous {
 public:
  rendezvous() = default;
  explicit rendezvous(std::vector<std::string> members) { assign(std::move(members)); }

  // Replaces the member list (order does not matter: it is kept sorted).
  void assign(std::vector<std::string> members);
  const std::vector<std::string>& members() const { return members_; }
  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }

  // Index into members() of the owner of `key`; the list must not be empty.
  std::size_t owner_index(std::uint64_t key) const;
  const std::string& owner(std::uint64_t key) const { return members_[owner_index(key)]; }

  // The weight of `key` on a member whose name hashes to `member_hash`.
  static std::uint64_t weight(std::uint64_t member_hash, std::uint64_t key);
  static std::uint64_t member_hash(const std::string& member);

 private:
  std::vector<std::string> members_;
  std::vector<std::uint64_t> hashes_;
};

}  // namespace seerflow::cluster
