#include "runtime/net/tcp_syslog_server.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>

#include "runtime/net/peer_address.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One read takes up to 64 KiB; a connection reads at most 4 times in a row before letting the
// other connections run.
constexpr std::size_t scratch_size = 64 * 1024;
constexpr int max_reads_per_turn = 4;
// At stop, a connection reads on until its peer has been quiet this long (polling every
// drain_poll), and every connection stops reading drain_limit after the stop began.
constexpr auto drain_quiet = std::chrono::milliseconds(100);
constexpr auto drain_poll = std::chrono::milliseconds(5);
constexpr auto drain_limit = std::chrono::seconds(5);

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

tcp_syslog_server::tcp_syslog_server(asio::io_context& io, tcp_server_options options,
                                     std::shared_ptr<ingest::batch_sink> sink,
                                     receiver_counters& counters)
    : opt_(std::move(options)),
      framing_(opt_.format == model::input_format::syslog ? syslog_framer::framing::detect
                                                          : syslog_framer::framing::lf),
      sink_(std::move(sink)),
      counters_(counters),
      strand_(asio::make_strand(io)),
      acceptor_(strand_),
      submit_timer_(strand_),
      resume_timer_(strand_, asio::steady_timer::time_point::max()),
      slot_timer_(strand_),
      sweep_timer_(strand_),
      warnings_("syslog tcp '" + counters.receiver() + "'"),
      scratch_(scratch_size) {
  if (opt_.batch_size == 0) opt_.batch_size = 1;
  if (opt_.max_record == 0) opt_.max_record = 1;
  if (opt_.max_connections == 0) opt_.max_connections = 1;
  pending_.format = opt_.format;
  pending_.records.reserve(opt_.batch_size);
}

tcp_syslog_server::~tcp_syslog_server() = default;

std::uint16_t tcp_syslog_server::start() {
  if (phase_ != phase::created) throw std::logic_error("tcp_syslog_server::start called twice");
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(opt_.bind, ec);
  if (ec)
    throw std::system_error(std::error_code(EINVAL, std::system_category()),
                            "syslog tcp: invalid bind address '" + opt_.bind + "'");
  const auto where = endpoint_text(addr, opt_.port);
  const auto fail = [&](const boost::system::error_code& e, const std::string& what) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    throw std::system_error(std::error_code(e.value(), std::system_category()),
                            "syslog tcp: " + what + " " + where);
  };
  const tcp::endpoint ep(addr, opt_.port);
  acceptor_.open(ep.protocol(), ec);
  if (ec) fail(ec, "cannot open a socket for");
  // Lets a restarted receiver bind while connections of its predecessor sit in TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail(ec, "cannot set SO_REUSEADDR on");
  acceptor_.bind(ep, ec);
  if (ec) fail(ec, "cannot bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "cannot listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) fail(ec, "cannot read the port bound for");

  phase_ = phase::running;
  log::info("net", "syslog tcp '", counters_.receiver(), "' listening on ",
            endpoint_text(addr, port_), " (max_connections ", opt_.max_connections,
            ", idle_timeout ", opt_.idle_timeout.count(), " ms, batch ", opt_.batch_size,
            ", linger ", opt_.linger.count(), " ms)");
  auto self = shared_from_this();
  live_ = opt_.idle_timeout.count() > 0 ? 3 : 2;
  asio::co_spawn(
      strand_, [self]() { return accept_loop(self); }, asio::detached);
  asio::co_spawn(
      strand_, [self]() { return submit_loop(self); }, asio::detached);
  if (opt_.idle_timeout.count() > 0)
    asio::co_spawn(
        strand_, [self]() { return idle_sweep(self); }, asio::detached);
  return port_;
}

void tcp_syslog_server::stop(std::function<void()> on_stopped) {
  asio::post(strand_, [self = shared_from_this(), cb = std::move(on_stopped)]() mutable {
    self->begin_stop(std::move(cb));
  });
}

void tcp_syslog_server::begin_stop(std::function<void()> on_stopped) {
  if (on_stopped) on_stopped_.push_back(std::move(on_stopped));
  switch (phase_) {
    case phase::stopping:
      return;
    case phase::stopped:
    case phase::created: {
      phase_ = phase::stopped;
      auto cbs = std::move(on_stopped_);
      on_stopped_.clear();
      asio::post(strand_, [self = shared_from_this(), cbs = std::move(cbs)] {
        for (const auto& cb : cbs) cb();
      });
      return;
    }
    case phase::running:
      break;
  }
  phase_ = phase::stopping;
  drain_deadline_ = std::chrono::steady_clock::now() + drain_limit;
  boost::system::error_code ignored;
  acceptor_.close(ignored);  // frees the port at once
  // Wake every coroutine; each sees the phase and winds down. Connections read nothing more,
  // so the submitter can hand over everything already read and then finish.
  for (auto& c : connections_) c.socket.cancel(ignored);
  resume_timer_.cancel();
  slot_timer_.cancel();
  sweep_timer_.cancel();
  submit_timer_.cancel();
}

void tcp_syslog_server::coroutine_done() {
  if (--live_ > 0 || phase_ != phase::stopping) return;
  phase_ = phase::stopped;
  warnings_.flush(util::mono_now_ns());
  log::info("net", "syslog tcp '", counters_.receiver(), "' stopped");
  auto cbs = std::move(on_stopped_);
  on_stopped_.clear();
  // Posted, so that the coroutine frames are gone before the owner hears of it.
  asio::post(strand_, [self = shared_from_this(), cbs = std::move(cbs)] {
    for (const auto& cb : cbs) cb();
  });
}

asio::awaitable<void> tcp_syslog_server::accept_loop(std::shared_ptr<tcp_syslog_server> self) {
  auto& s = *self;
  try {
    while (s.phase_ == phase::running) {
      // At the limit we stop accepting: new clients wait in the listen backlog (their connect
      // succeeds, their data waits in the kernel) until a connection closes.
      while (s.phase_ == phase::running && s.connections_.size() >= s.opt_.max_connections) {
        s.warnings_.note("connections deferred", "at_limit", 1,
                         "at max_connections " + std::to_string(s.opt_.max_connections) +
                             "; not accepting until a connection closes",
                         util::mono_now_ns());
        s.accept_waiting_for_slot_ = true;
        s.slot_timer_.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await s.slot_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        s.accept_waiting_for_slot_ = false;
      }
      if (s.phase_ != phase::running) break;
      boost::system::error_code ec;
      tcp::socket sock =
          co_await s.acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (s.phase_ != phase::running) break;  // `sock`, if any, closes here
      if (ec) {
        if (ec == asio::error::operation_aborted) continue;
        if (out_of_descriptors(ec)) {
          // The client stays in the backlog; retry shortly instead of spinning.
          s.counters_.connections_refused().add("fd_limit");
          s.warnings_.note("connections refused", "fd_limit", 1, "accept failed: " + ec.message(),
                           util::mono_now_ns());
          s.slot_timer_.expires_after(std::chrono::milliseconds(100));
          co_await s.slot_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        } else {
          s.warnings_.note("accept errors", "accept", 1, ec.message(), util::mono_now_ns());
        }
        continue;
      }
      const auto remote = sock.remote_endpoint(ec);
      std::string peer = ec ? std::string("unknown") : format_peer(remote.data(), remote.size());
      sock.non_blocking(true, ec);
      if (ec) {
        s.warnings_.note("accept errors", "accept", 1,
                         "cannot make the socket non-blocking: " + ec.message(),
                         util::mono_now_ns());
        continue;
      }
      s.counters_.connections_accepted.add(1);
      s.counters_.connections_open.add(1);
      s.connections_.emplace_back(std::move(sock), std::move(peer), s.opt_.max_record, s.framing_);
      auto conn = std::prev(s.connections_.end());
      conn->last_activity_ns = util::mono_now_ns();
      ++s.live_;
      asio::co_spawn(
          s.strand_, [self, conn]() { return serve(self, conn); }, asio::detached);
    }
  } catch (const std::exception& e) {
    log::error("net", "syslog tcp '", s.counters_.receiver(), "': acceptor failed: ", e.what());
  }
  s.coroutine_done();
}

asio::awaitable<void> tcp_syslog_server::serve(std::shared_ptr<tcp_syslog_server> self,
                                               connection_list::iterator conn) {
  auto& s = *self;
  auto& c = *conn;
  std::string_view close_reason = "shutdown";
  std::int64_t arrival_ns = 0;
  auto on_record = [&](std::string_view rec) { s.add_record(rec, arrival_ns, c.peer); };
  auto on_reject = [&](std::string_view reason, std::string_view detail) {
    s.reject(reason, detail, c.peer);
  };
  try {
    for (;;) {
      while (s.phase_ == phase::running && s.paused()) {
        boost::system::error_code ec;
        co_await s.resume_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        c.last_activity_ns = util::mono_now_ns();  // our wait, not the peer's idleness
      }
      if (s.phase_ != phase::running) break;

      boost::system::error_code ec;
      c.waiting_for_data = true;
      co_await c.socket.async_wait(tcp::socket::wait_read,
                                   asio::redirect_error(asio::use_awaitable, ec));
      c.waiting_for_data = false;
      if (s.phase_ != phase::running) break;
      if (c.timed_out) {
        close_reason = "idle_timeout";
        c.framer.abandon("idle timeout", on_reject);
        break;
      }
      if (ec == asio::error::operation_aborted) continue;
      if (ec) {
        close_reason = "error";
        c.framer.abandon(ec.message(), on_reject);
        break;
      }

      if (s.read_turn(c, arrival_ns, close_reason, on_record, on_reject) == read_result::closed)
        break;
    }
    if (close_reason == "shutdown") {
      // Stopping. Bytes the kernel has already acknowledged are, to a sender that has finished,
      // delivered: closing now would lose every record in them without a trace (measured: a
      // third of 100,000 lines sent just before SIGTERM). So read on, with the usual
      // backpressure, until the peer closes or stays quiet for drain_quiet, or the stop's
      // drain deadline passes; only then close.
      asio::steady_timer poll(s.strand_);
      auto quiet_since = std::chrono::steady_clock::now();
      while (close_reason == "shutdown" && std::chrono::steady_clock::now() < s.drain_deadline_) {
        boost::system::error_code ec;
        if (s.paused()) {
          co_await s.resume_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          continue;
        }
        const auto r = s.read_turn(c, arrival_ns, close_reason, on_record, on_reject);
        const auto now = std::chrono::steady_clock::now();
        if (r == read_result::closed) break;
        if (r == read_result::read) {
          quiet_since = now;
          // Lets the other connections and the submitter run, as a wait for data would.
          co_await asio::post(s.strand_, asio::use_awaitable);
          continue;
        }
        if (now - quiet_since >= drain_quiet) break;
        poll.expires_after(drain_poll);
        co_await poll.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (close_reason == "shutdown") c.framer.abandon("receiver stopped", on_reject);
  } catch (const std::exception& e) {
    close_reason = "error";
    log::error("net", "syslog tcp '", s.counters_.receiver(), "': connection from ", c.peer,
               " failed: ", e.what());
  }
  s.close_connection(conn, close_reason);
  s.coroutine_done();
}

tcp_syslog_server::read_result tcp_syslog_server::read_turn(connection& c, std::int64_t& arrival_ns,
                                                            std::string_view& close_reason,
                                                            syslog_framer::record_fn on_record,
                                                            syslog_framer::reject_fn on_reject) {
  read_result result = read_result::idle;
  boost::system::error_code ec;
  // Re-checked before every read: under backpressure nothing more is taken off the socket.
  for (int i = 0; i < max_reads_per_turn && !paused(); ++i) {
    const std::size_t n = c.socket.read_some(asio::buffer(scratch_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec == asio::error::eof) {
      // Closed or half-closed by the peer: what it sent is complete, deliver it.
      close_reason = "eof";
      c.framer.finish(on_record, on_reject);
      return read_result::closed;
    }
    if (ec) {
      close_reason = ec == asio::error::connection_reset ? "reset" : "error";
      c.framer.abandon(ec.message(), on_reject);
      return read_result::closed;
    }
    result = read_result::read;
    counters_.bytes_received.add(n);
    c.last_activity_ns = util::mono_now_ns();
    arrival_ns = util::wall_now_ns();
    if (!c.framer.feed({scratch_.data(), n}, on_record, on_reject)) {
      close_reason = "bad_frame";
      return read_result::closed;
    }
    if (n < scratch_.size()) break;  // the socket is (almost certainly) drained
  }
  return result;
}

void tcp_syslog_server::close_connection(connection_list::iterator conn, std::string_view reason) {
  boost::system::error_code ignored;
  conn->socket.close(ignored);
  counters_.connections_closed().add(reason);
  counters_.connections_open.add(-1);
  if (reason == "idle_timeout" || reason == "bad_frame" || reason == "error")
    warnings_.note("connections closed", reason, 1, "last from " + conn->peer, util::mono_now_ns());
  connections_.erase(conn);
  if (accept_waiting_for_slot_ && connections_.size() < opt_.max_connections) slot_timer_.cancel();
  if (phase_ != phase::running) submit_timer_.cancel();  // the submitter may be waiting for us
}

void tcp_syslog_server::add_record(std::string_view data, std::int64_t arrival_ns,
                                   const std::string& peer) {
  if (pending_.records.empty()) {
    oldest_ = std::chrono::steady_clock::now();
    submit_timer_.expires_at(oldest_ + opt_.linger);  // wakes the submitter to arm the linger
  }
  // Counted before the hand-over, so whoever sees the record also sees the count.
  counters_.records_received.add(1);
  pending_.records.push_back(model::raw_record{std::string(data), arrival_ns, peer});
  if (pending_.records.size() >= opt_.batch_size) seal();
}

void tcp_syslog_server::seal() {
  sealed_.push_back(std::move(pending_));
  pending_ = model::raw_batch{};
  pending_.format = opt_.format;
  pending_.records.reserve(opt_.batch_size);
  submit_timer_.cancel();
}

void tcp_syslog_server::reject(std::string_view reason, std::string_view detail,
                               const std::string& peer) {
  counters_.records_rejected().add(reason);
  std::string text(detail);
  text += " (from ";
  text += peer;
  text += ')';
  warnings_.note("records rejected", reason, 1, text, util::mono_now_ns());
}

asio::awaitable<void> tcp_syslog_server::submit_loop(std::shared_ptr<tcp_syslog_server> self) {
  auto& s = *self;
  try {
    for (;;) {
      model::raw_batch batch;
      if (!s.sealed_.empty()) {
        batch = std::move(s.sealed_.front());
        s.sealed_.pop_front();
        if (s.sealed_.empty()) s.resume_timer_.cancel();  // readers go on while we submit
      } else if (!s.pending_.records.empty() &&
                 (s.phase_ != phase::running ||
                  std::chrono::steady_clock::now() >= s.oldest_ + s.opt_.linger)) {
        batch = std::move(s.pending_);
        s.pending_ = model::raw_batch{};
        s.pending_.format = s.opt_.format;
        s.pending_.records.reserve(s.opt_.batch_size);
      } else if (s.phase_ != phase::running && s.connections_.empty()) {
        break;  // stopping, every connection has finished, and all it read is handed over
      } else {
        // The only waiter on this timer: a slow submit cannot hold up a linger flush other than
        // by being the flush in progress.
        s.submit_timer_.expires_at(s.pending_.records.empty()
                                       ? asio::steady_timer::time_point::max()
                                       : s.oldest_ + s.opt_.linger);
        boost::system::error_code ec;
        co_await s.submit_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }

      const auto n = batch.records.size();
      bool taken = false;
      std::string_view reason = "shutdown";
      try {
        taken = co_await s.sink_->submit(std::move(batch));
      } catch (const std::exception& e) {
        reason = "sink_error";
        log::error("net", "syslog tcp '", s.counters_.receiver(), "': sink failed: ", e.what());
      }
      if (taken) {
        s.counters_.batches_submitted.add(1);
      } else {
        s.counters_.records_dropped().add(reason, n);
        s.warnings_.note("records dropped", reason, n, "the pipeline refused a batch",
                         util::mono_now_ns());
      }
    }
  } catch (const std::exception& e) {
    log::error("net", "syslog tcp '", s.counters_.receiver(), "': submitter failed: ", e.what());
  }
  s.coroutine_done();
}

asio::awaitable<void> tcp_syslog_server::idle_sweep(std::shared_ptr<tcp_syslog_server> self) {
  auto& s = *self;
  const auto idle = std::chrono::duration_cast<std::chrono::nanoseconds>(s.opt_.idle_timeout);
  // A quarter of the timeout keeps the overshoot small; bounded so a sweep of 1024 connections
  // stays negligible.
  const auto period = std::clamp<std::chrono::nanoseconds>(idle / 4, std::chrono::milliseconds(10),
                                                           std::chrono::seconds(1));
  try {
    while (s.phase_ == phase::running) {
      s.sweep_timer_.expires_after(period);
      boost::system::error_code ec;
      co_await s.sweep_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (s.phase_ != phase::running) break;
      const auto now = util::mono_now_ns();
      for (auto& c : s.connections_) {
        if (c.waiting_for_data && !c.timed_out && now - c.last_activity_ns >= idle.count()) {
          c.timed_out = true;
          c.socket.cancel(ec);
        }
      }
    }
  } catch (const std::exception& e) {
    log::error("net", "syslog tcp '", s.counters_.receiver(), "': idle sweep failed: ", e.what());
  }
  s.coroutine_done();
}

}  // namespace seerflow::net
