#include "runtime/metrics/registry.hpp"

#include <algorithm>

namespace seerflow::metrics {

// Label sets are unordered (as in Prometheus): {a,b} and {b,a} name one instrument. Label keys
// and values may come from configuration (receiver and source names), so each is
// length-prefixed: no text in them can make two different label sets share a key. The name
// (an identifier from the code) leads, so snapshot() lists instruments sorted by name.
std::string registry::key_of(std::string_view name, const labels& tags) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(tags.size());
  for (const auto& t : tags) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a < *b; });
  std::string k(name);
  k += '\0';
  for (const auto* t : sorted) {
    for (const std::string* part : {&t->first, &t->second}) {
      k += std::to_string(part->size());
      k += ':';
      k += *part;
    }
  }
  return k;
}

counter& registry::get_counter(std::string_view name, labels tags) {
  std::lock_guard<std::mutex> guard(mtx_);
  auto key = key_of(name, tags);
  auto it = index_.find(key);
  if (it == index_.end())
    it = index_.emplace(std::move(key), entry{std::string(name), std::move(tags)}).first;
  // A gauge of the same name and labels may already be there: keep it, add the counter beside.
  if (!it->second.c) it->second.c = &counters_.emplace_back();
  return *it->second.c;
}

gauge& registry::get_gauge(std::string_view name, labels tags) {
  std::lock_guard<std::mutex> guard(mtx_);
  auto key = key_of(name, tags);
  auto it = index_.find(key);
  if (it == index_.end())
    it = index_.emplace(std::move(key), entry{std::string(name), std::move(tags)}).first;
  if (!it->second.g) it->second.g = &gauges_.emplace_back();
  return *it->second.g;
}

std::uint64_t registry::total(std::string_view name) const {
  std::lock_guard<std::mutex> guard(mtx_);
  std::uint64_t sum = 0;
  for (const auto& [k, e] : index_)
    if (e.name == name && e.c) sum += e.c->value();
  return sum;
}

std::vector<sample> registry::snapshot() const {
  std::lock_guard<std::mutex> guard(mtx_);
  std::vector<sample> out;
  out.reserve(index_.size());
  for (const auto& [k, e] : index_) {
    if (e.c) out.push_back({e.name, e.tags, true, static_cast<std::int64_t>(e.c->value())});
    if (e.g) out.push_back({e.name, e.tags, false, e.g->value()});
  }
  return out;
}

void reason_counter::add(std::string_view reason, std::uint64_t n) {
  labels tags = base_;
  tags.emplace_back("reason", std::string(reason));
  reg_->get_counter(name_, std::move(tags)).add(n);
}

}  // namespace seerflow::metrics
