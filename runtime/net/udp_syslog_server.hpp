#pragma once
// Syslog over UDP (RFC 5426): one datagram is one record. Reads never block and never wait for
// the pipeline: datagrams are drained with recvmmsg and batched; a batch the sink has no credit
// for is dropped and counted ("backpressure"), and kernel drops are counted exactly from
// SO_RXQ_OVFL ("kernel_buffer"). All work runs on the server's own strand, so any number of
// threads may run the io_context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/model/raw_record.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/net/warning_throttle.hpp"

namespace seerflow::net {

struct udp_server_options {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 5514;
  std::size_t max_record = 65507;
  std::size_t receive_buffer = 4u << 20;
  std::size_t batch_size = 512;
  std::chrono::milliseconds linger{5};
  model::input_format format = model::input_format::syslog;
};

class udp_syslog_server : public std::enable_shared_from_this<udp_syslog_server> {
 public:
  // Keeps a copy of `counters` (a handle into the registry, which must outlive the server).
  udp_syslog_server(boost::asio::io_context& io, udp_server_options options,
                    std::shared_ptr<ingest::batch_sink> sink, receiver_counters& counters);
  ~udp_syslog_server();
  udp_syslog_server(const udp_syslog_server&) = delete;
  udp_syslog_server& operator=(const udp_syslog_server&) = delete;

  // Binds (port 0 = any free port) and starts reading; returns the bound port. Throws
  // std::system_error ("syslog udp: cannot bind 0.0.0.0:514: Permission denied"). Call once.
  std::uint16_t start();

  // Callable from any thread, any number of times. Stops reading, hands the partial batch to
  // the sink if it has credit (otherwise counts it as dropped), closes the socket, then calls
  // on_stopped (on an io_context thread) once nothing of the server runs any more. Nothing is
  // called and no counter is touched after on_stopped. The io_context must keep running until
  // then.
  void stop(std::function<void()> on_stopped);

  std::uint16_t port() const { return port_; }

 private:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;
  enum class phase : std::uint8_t { created, running, stopping, stopped };

  static boost::asio::awaitable<void> read_loop(std::shared_ptr<udp_syslog_server> self);
  static boost::asio::awaitable<void> linger_loop(std::shared_ptr<udp_syslog_server> self);
  // Drains up to a bounded number of datagrams; returns false when the socket is empty.
  bool drain_once();
  void add_record(std::string_view data, std::int64_t arrival_ns, const std::string& peer);
  void flush(std::string_view reason_if_refused);
  void count_kernel_drops(std::uint32_t cumulative);
  void begin_stop(std::function<void()> on_stopped);
  void coroutine_done();

  udp_server_options opt_;
  std::shared_ptr<ingest::batch_sink> sink_;
  receiver_counters counters_;
  strand_type strand_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer linger_timer_;
  warning_throttle warnings_;

  phase phase_ = phase::created;
  std::uint16_t port_ = 0;
  int live_ = 0;  // coroutines still running
  std::vector<std::function<void()>> on_stopped_;

  model::raw_batch pending_;
  std::chrono::steady_clock::time_point oldest_{};
  std::uint32_t kernel_drops_seen_ = 0;

  // recvmmsg state: one slot per datagram. The slots are allocated once; their pages are only
  // touched as datagrams arrive, so large slots for 64 KiB datagrams cost little resident memory.
  struct recv_slots;
  std::unique_ptr<recv_slots> slots_;
  std::string last_peer_;
  std::vector<unsigned char> last_peer_addr_;
};

}  // namespace seerflow::net
