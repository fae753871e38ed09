#include "runtime/system/app/console_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/console/console_token.hpp"

namespace seerflow::app {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// The console endpoint a running node wrote into its data directory, if any.
std::optional<std::pair<std::string, std::uint16_t>> endpoint_file(const std::string& data_dir) {
  std::ifstream in(std::filesystem::path(data_dir) / "endpoints.json");
  if (!in) return std::nullopt;
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("endpoints") || !j["endpoints"].is_array()) return std::nullopt;
  for (const auto& e : j["endpoints"])
    if (e.value("protocol", "") == "console/http")
      return std::make_pair(e.value("address", "127.0.0.1"), e.value("port", std::uint16_t{0}));
  return std::nullopt;
}

}  // namespace

std::optional<console_target> find_console(const config::settings& cfg, const std::string& url,
                                           const std::string& token, std::string& why) {
  console_target t;
  if (!url.empty()) {
    std::string rest = url;
    if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
      why = "--url must look like http://HOST:PORT";
      return std::nullopt;
    }
    t.host = rest.substr(0, colon);
    try {
      const auto p = std::stoul(rest.substr(colon + 1));
      if (p == 0 || p > 65535) throw std::out_of_range("port");
      t.port = static_cast<std::uint16_t>(p);
    } catch (...) {
      why = "--url has no valid port";
      return std::nullopt;
    }
  } else if (auto ep = endpoint_file(cfg.data_dir)) {
    t.host = ep->first;
    t.port = ep->second;
  } else {
    t.host = cfg.console.bind;
    t.port = cfg.console.port;
  }
  // A node bound to every address is reached on loopback from here.
  if (t.host == "0.0.0.0" || t.host.empty()) t.host = "127.0.0.1";
  if (t.host == "::") t.host = "::1";
  if (t.port == 0) {
    why = "no console port: the node is not running with its console (no console endpoint in " +
          cfg.data_dir + "/endpoints.json) and console.port is 0";
    return std::nullopt;
  }
  t.token = !token.empty()               ? token
            : !cfg.console.token.empty() ? cfg.console.token
                                         : console::read_token_file(cfg.data_dir);
  if (t.token.empty()) {
    why = "no console token: pass --token, set console.token, or run where " + cfg.data_dir +
          "/console.token is readable";
    return std::nullopt;
  }
  return t;
}

console_reply console_get(const console_target& t, const std::string& target,
                          std::chrono::milliseconds timeout) {
  console_reply out;
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    tcp::resolver resolver(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(t.host, std::to_string(t.port)));
    bhttp::request<bhttp::empty_body> req(bhttp::verb::get, target, 11);
    req.set(bhttp::field::host, t.host);
    req.set(bhttp::field::authorization, "Bearer " + t.token);
    req.set(bhttp::field::connection, "close");
    bhttp::write(stream, req);
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(stream, buf, parser);
    out.status = parser.get().result_int();
    out.body = parser.get().body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = "http://" + t.host + ":" + std::to_string(t.port) + target + ": " + e.what();
  }
  return out;
}

}  // namespace seerflow::app
