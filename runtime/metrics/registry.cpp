#include "runtime/metrics/registry.hpp"

namespace seerflow::metrics {

std::string registry::key_of(std::string_view name, const labels& tags) {
  std::string k(name);
  for (const auto& [lk, lv] : tags) {
    k += '\x1f';
    k += lk;
    k += '=';
    k += lv;
  }
  return k;
}

counter& registry::get_counter(std::string_view name, labels tags) {
  std::lock_guard<std::mutex> guard(mtx_);
  auto key = key_of(name, tags);
  auto it = index_.find(key);
  if (it != index_.end() && it->second.c) return *it->second.c;
  counters_.emplace_back();
  index_[key] = entry{std::string(name), std::move(tags), &counters_.back(), nullptr};
  return counters_.back();
}

gauge& registry::get_gauge(std::string_view name, labels tags) {
  std::lock_guard<std::mutex> guard(mtx_);
  auto key = key_of(name, tags);
  auto it = index_.find(key);
  if (it != index_.end() && it->second.g) return *it->second.g;
  gauges_.emplace_back();
  index_[key] = entry{std::string(name), std::move(tags), nullptr, &gauges_.back()};
  return gauges_.back();
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
    if (e.c)
      out.push_back({e.name, e.tags, true, static_cast<std::int64_t>(e.c->value())});
    else
      out.push_back({e.name, e.tags, false, e.g->value()});
  }
  return out;
}

void reason_counter::add(std::string_view reason, std::uint64_t n) {
  labels tags = base_;
  tags.emplace_back("reason", std::string(reason));
  reg_->get_counter(name_, std::move(tags)).add(n);
}

}  // namespace seerflow::metrics
