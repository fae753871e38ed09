#include "runtime/notify/delivery_engine.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "runtime/notify/alert_json.hpp"
#include "runtime/notify/delivery_queue.hpp"
#include "runtime/notify/retry_policy.hpp"
#include "runtime/notify/sink_request.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::notify {

namespace {

constexpr std::size_t max_kept_response = 512;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t keep_response(char* data, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t bytes = size * n;
  if (out->size() < max_kept_response)
    out->append(data, std::min(bytes, max_kept_response - out->size()));
  return bytes;
}

}  // namespace

struct delivery_engine::impl {
  struct transfer {
    pending_delivery row;
    http_request request;
    curl_slist* headers = nullptr;
    std::string response;
    char error[CURL_ERROR_SIZE] = {};
  };

  explicit impl(const std::string& db_path) : queue(db_path), multi(curl_multi_init()) {}
  ~impl() {
    for (auto& [easy, t] : running) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(t->headers);
    }
    curl_multi_cleanup(multi);
  }

  delivery_queue queue;
  CURLM* multi;
  std::unordered_map<CURL*, std::unique_ptr<transfer>> running;
  std::unordered_set<std::int64_t> running_ids;
};

delivery_engine::delivery_engine(config::sink_settings sink, engine_options opts)
    : sink_(std::move(sink)), opts_(std::move(opts)) {
  global_init();
  impl_ = std::make_unique<impl>(opts_.db_path);
  pending_ = impl_->queue.pending_count(sink_.name);
  if (pending_ > 0)
    log::info("sink", sink_.name, ": ", pending_.load(),
              " deliveries pending from an earlier run; retrying them");
  thread_ = std::thread([this] { run(); });
}

delivery_engine::~delivery_engine() {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    stop_ = true;
  }
  curl_multi_wakeup(impl_->multi);
  thread_.join();
}

void delivery_engine::submit(model::alert a) {
  counters_.submitted.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mtx_);
    inbox_.push_back(std::move(a));
  }
  curl_multi_wakeup(impl_->multi);
}

void delivery_engine::run() {
  pthread_setname_np(pthread_self(), "seerflow-sink");
  auto& st = *impl_;
  std::mt19937_64 rng(opts_.seed);
  std::int64_t next_scan_ns = 0;
  std::int64_t stop_deadline_ns = 0;
  bool stopping = false;

  auto start = [&](pending_delivery row, std::int64_t now_ns) {
    auto a = alert_from_json(row.alert_json);
    std::optional<http_request> req;
    if (a) req = sink_request(sink_, *a, row.action, now_ns / 1'000'000'000);
    if (!req) {
      const std::string why = a ? "a " + sink_.type + " sink cannot send '" + row.action + "'"
                                : std::string("the queued alert is not readable");
      log::warn("sink", sink_.name, ": alert ", row.alert_id, " not deliverable: ", why);
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      st.queue.finish(row, sink_.type, "failed", row.attempts, 0, why, now_ns);
      return;
    }
    auto t = std::make_unique<impl::transfer>();
    t->row = std::move(row);
    t->request = std::move(*req);
    CURL* easy = curl_easy_init();
    for (const auto& [k, v] : t->request.headers)
      t->headers = curl_slist_append(t->headers, (k + ": " + v).c_str());
    curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(t->request.body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(sink_.timeout_ms));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<std::int64_t>(sink_.timeout_ms, 10000)));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // A proxy from the environment must not catch deliveries to this machine (STACK.md §6).
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "seerflow");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep_response);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t->response);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    st.running_ids.insert(t->row.id);
    st.running.emplace(easy, std::move(t));
    curl_multi_add_handle(st.multi, easy);
    counters_.attempts.fetch_add(1, std::memory_order_relaxed);
  };

  auto complete = [&](CURL* easy, CURLcode code) {
    auto node = st.running.extract(easy);
    auto& t = *node.mapped();
    long status = 0;
    if (code == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(st.multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t.headers);
    st.running_ids.erase(t.row.id);
    const std::int64_t now = util::wall_now_ns();
    const int attempts = t.row.attempts + 1;
    const std::string detail =
        code != CURLE_OK
            ? std::string(t.error[0] ? t.error : curl_easy_strerror(code))
            : "HTTP " + std::to_string(status) + (t.response.empty() ? "" : ": " + t.response);
    auto outcome = classify_attempt(status);
    if (outcome == attempt_outcome::retry && attempts > sink_.max_retries)
      outcome = attempt_outcome::failed;
    switch (outcome) {
      case attempt_outcome::delivered:
        counters_.delivered.fetch_add(1, std::memory_order_relaxed);
        st.queue.finish(t.row, sink_.type, "delivered", attempts, status, "", now);
        break;
      case attempt_outcome::retry: {
        counters_.retried.fetch_add(1, std::memory_order_relaxed);
        const auto delay =
            retry_delay_ms(attempts, sink_.backoff_initial_ms, sink_.backoff_max_ms, rng);
        log::debug("sink", sink_.name, ": alert ", t.row.alert_id, " attempt ", attempts, " (",
                   detail, "); retrying in ", delay, " ms");
        st.queue.reschedule(t.row.id, attempts, now + delay * 1'000'000, detail);
        break;
      }
      case attempt_outcome::failed:
        counters_.failed.fetch_add(1, std::memory_order_relaxed);
        log::warn("sink", sink_.name, ": giving up on ", t.row.action, " of alert ", t.row.alert_id,
                  " after ", attempts, " attempts: ", detail);
        st.queue.finish(t.row, sink_.type, "failed", attempts, status, detail, now);
        break;
    }
  };

  for (;;) {
    std::vector<model::alert> inbox;
    {
      std::lock_guard<std::mutex> lock(mtx_);
      inbox.swap(inbox_);
      if (stop_ && !stopping) {
        stopping = true;
        stop_deadline_ns = util::mono_now_ns() + opts_.stop_grace_ms * 1'000'000;
      }
    }
    const std::int64_t now = util::wall_now_ns();
    try {
      if (!inbox.empty()) {
        st.queue.add_all(sink_.name, inbox, "trigger", now);
        next_scan_ns = 0;
      }
      if (stopping && (st.running.empty() || util::mono_now_ns() >= stop_deadline_ns)) break;
      if (!stopping && now >= next_scan_ns) {
        if (st.running.size() < opts_.max_in_flight) {
          // Rows in flight are skipped: the limit covers them, so ask for that many more.
          auto rows = st.queue.due(sink_.name, now, opts_.max_in_flight + st.running.size());
          for (auto& r : rows) {
            if (st.running.size() >= opts_.max_in_flight) break;
            if (st.running_ids.count(r.id) == 0) start(std::move(r), now);
          }
          pending_ = st.queue.pending_count(sink_.name);
        }
        // Full: a finished transfer frees a slot and asks for a scan at once.
        next_scan_ns = now + opts_.scan_interval_ms * 1'000'000;
      }
    } catch (const std::exception& e) {
      // A busy or failing database: the alerts in `inbox` were not queued, so they go back to
      // the front of the inbox and are tried again at the next turn.
      counters_.queue_errors.fetch_add(1, std::memory_order_relaxed);
      log::warn("sink", sink_.name, ": delivery queue: ", e.what());
      if (!inbox.empty()) {
        std::lock_guard<std::mutex> lock(mtx_);
        inbox_.insert(inbox_.begin(), std::make_move_iterator(inbox.begin()),
                      std::make_move_iterator(inbox.end()));
      }
      if (stopping) break;
      next_scan_ns = now + opts_.scan_interval_ms * 1'000'000;
    }
    int still = 0;
    curl_multi_perform(st.multi, &still);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(st.multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      try {
        complete(m->easy_handle, m->data.result);
      } catch (const std::exception& e) {
        counters_.queue_errors.fetch_add(1, std::memory_order_relaxed);
        log::warn("sink", sink_.name, ": delivery queue: ", e.what());
      }
      next_scan_ns = 0;  // a slot is free
    }
    // A scan due now (after a submit or a finished transfer) goes first; otherwise sleep until
    // the next scan, activity on a transfer's socket, or a wake-up from submit() or the stop.
    // While stopping no scan runs: wait for the in-flight transfers' sockets.
    const std::int64_t wait_ms =
        stopping ? 50
        : next_scan_ns == 0
            ? 0
            : std::clamp<std::int64_t>((next_scan_ns - util::wall_now_ns()) / 1'000'000, 1,
                                       opts_.scan_interval_ms);
    curl_multi_poll(st.multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
  }
  std::lock_guard<std::mutex> lock(mtx_);
  if (!inbox_.empty())
    log::error("sink", sink_.name, ": ", inbox_.size(),
               " alerts could not be queued before the stop (the store failed); not delivered");
}

}  // namespace seerflow::notify
