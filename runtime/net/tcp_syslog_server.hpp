#pragma once
// Syslog over TCP (RFC 6587, octet counting or LF framing per frame). Every connection is a
// coroutine; records of all connections go into shared batches (so a thousand slow clients
// still make full batches) that one submitter coroutine hands to the sink with
// `co_await sink->submit()`. While the sink holds a batch back, no connection reads: senders
// are slowed by TCP flow control and nothing is lost. All work runs on the server's own strand,
// so any number of threads may run the io_context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/model/raw_record.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/net/syslog_framer.hpp"
#include "runtime/net/warning_throttle.hpp"

namespace seerflow::net {

struct tcp_server_options {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 5601;
  std::size_t max_record = 65536;
  std::size_t max_connections = 1024;
  std::chrono::milliseconds idle_timeout{600000};  // 0 = never
  std::size_t batch_size = 512;
  std::chrono::milliseconds linger{5};
  model::input_format format = model::input_format::syslog;
};

class tcp_syslog_server : public std::enable_shared_from_this<tcp_syslog_server> {
 public:
  // Keeps a copy of `counters` (a handle into the registry, which must outlive the server).
  // Framing: syslog auto-detects octet counting per frame; raw and jsonl are LF-framed only
  // (their lines may start with a digit).
  tcp_syslog_server(boost::asio::io_context& io, tcp_server_options options,
                    std::shared_ptr<ingest::batch_sink> sink, receiver_counters& counters);
  ~tcp_syslog_server();
  tcp_syslog_server(const tcp_syslog_server&) = delete;
  tcp_syslog_server& operator=(const tcp_syslog_server&) = delete;

  // Binds with SO_REUSEADDR (port 0 = any free port), listens and starts accepting; returns the
  // bound port. Throws std::system_error ("syslog tcp: cannot bind 0.0.0.0:601: Address already
  // in use"). Call once.
  std::uint16_t start();

  // Callable from any thread, any number of times. Stops accepting; each connection reads what
  // its peer has already sent (until the peer closes or is quiet for 100 ms, within 5 s of the
  // stop: bytes the kernel acknowledged are not thrown away), then closes (a partial record is
  // counted as rejected "truncated"); hands the records read to the sink (waiting for credit: the
  // sink decides; a sink shutting down returns false and the records are counted as dropped
  // "shutdown"), then calls on_stopped on an io_context thread once nothing of the server runs any
  // more. Nothing is called and no counter is touched after on_stopped. The io_context must keep
  // running until then.
  void stop(std::function<void()> on_stopped);

  std::uint16_t port() const { return port_; }

 private:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;
  enum class phase : std::uint8_t { created, running, stopping, stopped };

  struct connection {
    connection(boost::asio::ip::tcp::socket s, std::string p, std::size_t max_record,
               syslog_framer::framing f)
        : socket(std::move(s)), peer(std::move(p)), framer(max_record, f) {}
    boost::asio::ip::tcp::socket socket;
    std::string peer;
    syslog_framer framer;
    std::int64_t last_activity_ns = 0;  // monotonic
    bool waiting_for_data = false;      // idle-timeout applies only while waiting on the peer
    bool timed_out = false;
  };
  using connection_list = std::list<connection>;

  static boost::asio::awaitable<void> accept_loop(std::shared_ptr<tcp_syslog_server> self);
  static boost::asio::awaitable<void> serve(std::shared_ptr<tcp_syslog_server> self,
                                            connection_list::iterator conn);
  static boost::asio::awaitable<void> submit_loop(std::shared_ptr<tcp_syslog_server> self);
  static boost::asio::awaitable<void> idle_sweep(std::shared_ptr<tcp_syslog_server> self);

  enum class read_result : std::uint8_t { idle, read, closed };
  // Up to max_reads_per_turn non-blocking reads of what the socket holds, framed into records;
  // none while paused. `closed`: the connection ended, close_reason says why (the framer has
  // been finished or abandoned).
  read_result read_turn(connection& c, std::int64_t& arrival_ns, std::string_view& close_reason,
                        syslog_framer::record_fn on_record, syslog_framer::reject_fn on_reject);
  // Readers wait while a full batch is waiting for the submitter: that is the backpressure.
  bool paused() const { return !sealed_.empty(); }
  void add_record(std::string_view data, std::int64_t arrival_ns, const std::string& peer);
  void seal();
  void reject(std::string_view reason, std::string_view detail, const std::string& peer);
  void close_connection(connection_list::iterator conn, std::string_view reason);
  void begin_stop(std::function<void()> on_stopped);
  void coroutine_done();

  tcp_server_options opt_;
  syslog_framer::framing framing_;
  std::shared_ptr<ingest::batch_sink> sink_;
  receiver_counters counters_;
  strand_type strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer submit_timer_;  // wakes the submitter: batch sealed or linger due
  boost::asio::steady_timer resume_timer_;  // wakes paused readers (never expires by itself)
  boost::asio::steady_timer slot_timer_;    // wakes the acceptor when below max_connections
  boost::asio::steady_timer sweep_timer_;   // idle-timeout sweep
  warning_throttle warnings_;

  phase phase_ = phase::created;
  std::chrono::steady_clock::time_point drain_deadline_{};  // stopping: connections stop reading
  std::uint16_t port_ = 0;
  int live_ = 0;  // coroutines still running
  std::vector<std::function<void()>> on_stopped_;

  connection_list connections_;
  bool accept_waiting_for_slot_ = false;

  model::raw_batch pending_;                        // being filled by the readers
  std::chrono::steady_clock::time_point oldest_{};  // arrival of pending_'s first record
  std::deque<model::raw_batch> sealed_;             // full, waiting for the submitter

  // One read buffer for all connections: a read and its framing never suspend, and everything
  // runs on one strand, so only the bytes of records straddling reads are kept per connection.
  std::vector<char> scratch_;
};

}  // namespace seerflow::net
