#include "runtime/net/udp_syslog_server.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>

#include "runtime/net/peer_address.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::net {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

// recvmmsg batch: 64 datagrams per system call, and at most 16 calls before yielding to the
// other work on this io_context (1024 datagrams).
constexpr unsigned slot_count = 64;
constexpr int max_rounds = 16;

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

std::string_view strip_terminators(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '\0'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

struct udp_syslog_server::recv_slots {
  struct alignas(cmsghdr) control {
    char bytes[CMSG_SPACE(sizeof(std::uint32_t))];
  };
  explicit recv_slots(std::size_t size) : slot_size(size), data(new char[size * slot_count]) {}

  void prepare() {
    for (unsigned i = 0; i < slot_count; ++i) {
      iov[i].iov_base = data.get() + i * slot_size;
      iov[i].iov_len = slot_size;
      auto& h = msgs[i].msg_hdr;
      h.msg_name = &addrs[i];
      h.msg_namelen = sizeof(sockaddr_storage);
      h.msg_iov = &iov[i];
      h.msg_iovlen = 1;
      h.msg_control = ctrl[i].bytes;
      h.msg_controllen = sizeof ctrl[i].bytes;
      h.msg_flags = 0;
      msgs[i].msg_len = 0;
    }
  }

  std::size_t slot_size;
  std::unique_ptr<char[]> data;  // deliberately uninitialised: pages are touched on use
  std::array<mmsghdr, slot_count> msgs{};
  std::array<iovec, slot_count> iov{};
  std::array<sockaddr_storage, slot_count> addrs{};
  std::array<control, slot_count> ctrl{};
};

udp_syslog_server::udp_syslog_server(asio::io_context& io, udp_server_options options,
                                     std::shared_ptr<ingest::batch_sink> sink,
                                     receiver_counters& counters)
    : opt_(std::move(options)),
      sink_(std::move(sink)),
      counters_(counters),
      strand_(asio::make_strand(io)),
      socket_(strand_),
      linger_timer_(strand_),
      warnings_("syslog udp '" + counters.receiver() + "'") {
  if (opt_.batch_size == 0) opt_.batch_size = 1;
  if (opt_.max_record == 0) opt_.max_record = 1;
  pending_.format = opt_.format;
  pending_.records.reserve(opt_.batch_size);
}

udp_syslog_server::~udp_syslog_server() = default;

std::uint16_t udp_syslog_server::start() {
  if (phase_ != phase::created) throw std::logic_error("udp_syslog_server::start called twice");
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(opt_.bind, ec);
  if (ec)
    throw std::system_error(std::error_code(EINVAL, std::system_category()),
                            "syslog udp: invalid bind address '" + opt_.bind + "'");
  const auto where = endpoint_text(addr, opt_.port);
  const auto fail = [&](const boost::system::error_code& e, const std::string& what) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    throw std::system_error(std::error_code(e.value(), std::system_category()),
                            "syslog udp: " + what + " " + where);
  };
  const udp::endpoint ep(addr, opt_.port);
  socket_.open(ep.protocol(), ec);
  if (ec) fail(ec, "cannot open a socket for");
  const int fd = socket_.native_handle();

  int effective = 0;
  if (opt_.receive_buffer > 0) {
    const int want = static_cast<int>(std::min<std::size_t>(opt_.receive_buffer, 1u << 30));
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    socklen_t len = sizeof effective;
    ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &len);
    // Linux reports twice the usable size (it counts bookkeeping); below `want` means capped
    // by net.core.rmem_max. A privileged process may exceed the cap.
    if (effective / 2 < want) {
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want);
      len = sizeof effective;
      ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &len);
    }
    if (effective / 2 < want)
      log::warn("net", "syslog udp '", counters_.receiver(), "': receive buffer capped at ",
                effective / 2, " bytes (asked for ", want,
                "); raise net.core.rmem_max or bursts will be dropped");
  } else {
    socklen_t len = sizeof effective;
    ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &len);
  }
  const int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0)
    log::warn(
        "net", "syslog udp '", counters_.receiver(),
        "': SO_RXQ_OVFL unavailable, kernel drops will not be counted: ", std::strerror(errno));

  socket_.bind(ep, ec);
  if (ec) fail(ec, "cannot bind");
  socket_.non_blocking(true, ec);
  if (ec) fail(ec, "cannot make non-blocking the socket bound to");
  port_ = socket_.local_endpoint(ec).port();
  if (ec) fail(ec, "cannot read the port bound for");

  slots_ = std::make_unique<recv_slots>(opt_.max_record + 2);  // +2: room for a CRLF to strip
  slots_->prepare();

  phase_ = phase::running;
  live_ = 2;
  log::info("net", "syslog udp '", counters_.receiver(), "' listening on ",
            endpoint_text(addr, port_), " (batch ", opt_.batch_size, ", linger ",
            opt_.linger.count(), " ms, receive buffer ", effective / 2, " bytes)");
  auto self = shared_from_this();
  asio::co_spawn(
      strand_, [self]() { return read_loop(self); }, asio::detached);
  asio::co_spawn(
      strand_, [self]() { return linger_loop(self); }, asio::detached);
  return port_;
}

void udp_syslog_server::stop(std::function<void()> on_stopped) {
  asio::post(strand_, [self = shared_from_this(), cb = std::move(on_stopped)]() mutable {
    self->begin_stop(std::move(cb));
  });
}

void udp_syslog_server::begin_stop(std::function<void()> on_stopped) {
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
  // Datagrams the kernel already holds for us are read and handed over too, so a stop loses
  // nothing that reached the socket before it (bounded, in case a flood never lets up).
  for (int round = 0; round < 256 && drain_once(); ++round) {
  }
  phase_ = phase::stopping;
  // Everything already read is handed over now; nothing more is read after this point.
  flush("shutdown");
  boost::system::error_code ignored;
  socket_.close(ignored);  // frees the port at once; the pending wait completes as aborted
  linger_timer_.cancel();
}

void udp_syslog_server::coroutine_done() {
  if (--live_ > 0 || phase_ != phase::stopping) return;
  phase_ = phase::stopped;
  warnings_.flush(util::mono_now_ns());
  log::info("net", "syslog udp '", counters_.receiver(), "' stopped");
  auto cbs = std::move(on_stopped_);
  on_stopped_.clear();
  // Posted, so that the coroutine frames are gone before the owner hears of it.
  asio::post(strand_, [self = shared_from_this(), cbs = std::move(cbs)] {
    for (const auto& cb : cbs) cb();
  });
}

asio::awaitable<void> udp_syslog_server::read_loop(std::shared_ptr<udp_syslog_server> self) {
  try {
    while (self->phase_ == phase::running) {
      if (self->drain_once()) {
        // More datagrams are waiting: let other work on this io_context run first.
        co_await asio::post(self->strand_, asio::use_awaitable);
        continue;
      }
      if (self->phase_ != phase::running) break;
      boost::system::error_code ec;
      co_await self->socket_.async_wait(udp::socket::wait_read,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (ec && ec != asio::error::operation_aborted && self->phase_ == phase::running) {
        log::error("net", "syslog udp '", self->counters_.receiver(),
                   "': waiting for datagrams failed: ", ec.message());
        asio::steady_timer pause(self->strand_, std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    }
  } catch (const std::exception& e) {
    log::error("net", "syslog udp '", self->counters_.receiver(), "': reader failed: ", e.what());
  }
  self->coroutine_done();
}

asio::awaitable<void> udp_syslog_server::linger_loop(std::shared_ptr<udp_syslog_server> self) {
  try {
    while (self->phase_ == phase::running) {
      if (!self->pending_.records.empty() &&
          std::chrono::steady_clock::now() >= self->oldest_ + self->opt_.linger)
        self->flush("backpressure");
      self->linger_timer_.expires_at(self->pending_.records.empty()
                                         ? std::chrono::steady_clock::time_point::max()
                                         : self->oldest_ + self->opt_.linger);
      boost::system::error_code ec;
      co_await self->linger_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  } catch (const std::exception& e) {
    log::error("net", "syslog udp '", self->counters_.receiver(),
               "': linger timer failed: ", e.what());
  }
  self->coroutine_done();
}

bool udp_syslog_server::drain_once() {
  auto& s = *slots_;
  const int fd = socket_.native_handle();
  for (int round = 0; round < max_rounds; ++round) {
    if (phase_ != phase::running) return false;
    for (unsigned i = 0; i < slot_count; ++i) {
      s.msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      s.msgs[i].msg_hdr.msg_controllen = sizeof s.ctrl[i].bytes;
      s.msgs[i].msg_hdr.msg_flags = 0;
    }
    // MSG_TRUNC makes msg_len the datagram's real length, so oversized ones are reported with
    // their size.
    const int n = ::recvmmsg(fd, s.msgs.data(), slot_count, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        warnings_.note("receive errors", "recvmmsg", 1, std::strerror(errno), util::mono_now_ns());
      return false;
    }
    const std::int64_t arrival = util::wall_now_ns();
    for (int i = 0; i < n; ++i) {
      auto& h = s.msgs[i].msg_hdr;
      const std::size_t len = s.msgs[i].msg_len;
      counters_.bytes_received.add(len);
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          std::uint32_t cumulative = 0;
          std::memcpy(&cumulative, CMSG_DATA(c), sizeof cumulative);
          count_kernel_drops(cumulative);
        }
      }
      const auto* name = static_cast<const unsigned char*>(h.msg_name);
      if (h.msg_namelen != last_peer_addr_.size() ||
          std::memcmp(name, last_peer_addr_.data(), h.msg_namelen) != 0) {
        last_peer_addr_.assign(name, name + h.msg_namelen);
        last_peer_ = format_peer(static_cast<const sockaddr*>(h.msg_name), h.msg_namelen);
      }
      if ((h.msg_flags & MSG_TRUNC) || len > s.slot_size) {
        counters_.records_rejected().add("oversized");
        warnings_.note("records rejected", "oversized", 1,
                       "datagram of " + std::to_string(len) + " bytes exceeds max_record " +
                           std::to_string(opt_.max_record) + " (from " + last_peer_ + ")",
                       util::mono_now_ns());
        continue;
      }
      const auto rec = strip_terminators({static_cast<const char*>(s.iov[i].iov_base), len});
      if (rec.size() > opt_.max_record) {
        counters_.records_rejected().add("oversized");
        warnings_.note("records rejected", "oversized", 1,
                       "datagram of " + std::to_string(rec.size()) + " bytes exceeds max_record " +
                           std::to_string(opt_.max_record) + " (from " + last_peer_ + ")",
                       util::mono_now_ns());
        continue;
      }
      if (rec.empty()) {
        counters_.records_rejected().add("empty");
        warnings_.note("records rejected", "empty", 1, "empty datagram from " + last_peer_,
                       util::mono_now_ns());
        continue;
      }
      // Counted before the hand-over, so whoever sees the record also sees the count.
      counters_.records_received.add(1);
      add_record(rec, arrival, last_peer_);
    }
    if (static_cast<unsigned>(n) < slot_count) return false;
  }
  return true;
}

void udp_syslog_server::count_kernel_drops(std::uint32_t cumulative) {
  // The counter is the socket's total since creation, carried by each datagram as queued.
  const std::uint32_t delta = cumulative - kernel_drops_seen_;
  if (delta == 0) return;
  kernel_drops_seen_ = cumulative;
  counters_.records_dropped().add("kernel_buffer", delta);
  warnings_.note("records dropped", "kernel_buffer", delta,
                 "the socket receive buffer overflowed before the datagrams were read",
                 util::mono_now_ns());
}

void udp_syslog_server::add_record(std::string_view data, std::int64_t arrival_ns,
                                   const std::string& peer) {
  if (pending_.records.empty()) {
    oldest_ = std::chrono::steady_clock::now();
    linger_timer_.expires_at(oldest_ + opt_.linger);  // wakes the linger loop
  }
  pending_.records.push_back(model::raw_record{std::string(data), arrival_ns, peer});
  if (pending_.records.size() >= opt_.batch_size) flush("backpressure");
}

void udp_syslog_server::flush(std::string_view reason_if_refused) {
  if (pending_.records.empty()) return;
  const auto n = pending_.records.size();
  bool taken = false;
  std::string_view reason = reason_if_refused;
  try {
    taken = sink_->try_submit(pending_);
  } catch (const std::exception& e) {
    reason = "sink_error";
    log::error("net", "syslog udp '", counters_.receiver(), "': sink failed: ", e.what());
  }
  if (taken) {
    counters_.batches_submitted.add(1);
    pending_ = model::raw_batch{};
    pending_.format = opt_.format;
    pending_.records.reserve(opt_.batch_size);
    return;
  }
  counters_.records_dropped().add(reason, n);
  warnings_.note("records dropped", reason, n, "the pipeline had no credit for a batch",
                 util::mono_now_ns());
  pending_.records.clear();  // the sink left it untouched: reuse its capacity
}

}  // namespace seerflow::net
