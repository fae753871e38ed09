// The masks of the template miner: each kind of variable with positive and negative cases, alone
// (only that mask enabled) and within the default set, plus the rendering conventions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"
#include "runtime/parse/masking.hpp"
#include "runtime/parse/token_masker.hpp"

namespace sp = seerflow::parse;

namespace {

std::string shape_with(const std::vector<sp::mask>& masks, std::string_view token) {
  const sp::token_masker masker(masks);
  std::string out;
  masker.shape(token, out);
  return out;
}

// The shape of a token when only `kind` is enabled.
std::string only(sp::mask_kind kind, std::string_view token) {
  return shape_with({sp::mask{kind, {}}}, token);
}

std::string with_defaults(std::string_view token) {
  return shape_with(sp::default_masks(), token);
}

}  // namespace

TEST_CASE("ipv4 addresses, with a port or a leading slash, and what is not one") {
  using sp::mask_kind;
  CHECK(only(mask_kind::ipv4, "10.0.0.1") == "<*>");
  CHECK(only(mask_kind::ipv4, "10.0.0.1:8080") == "<*>");
  CHECK(only(mask_kind::ipv4, "[10.0.0.1]") == "[<*>]");
  CHECK(only(mask_kind::ipv4, "from=10.0.0.1,") == "from=<*>,");
  // A version is not an address, nor are five parts or octets above 255.
  CHECK(only(mask_kind::ipv4, "1.2.3") == "1.2.3");
  CHECK(only(mask_kind::ipv4, "1.2.3.4.5") == "1.2.3.4.5");
  CHECK(only(mask_kind::ipv4, "999.1.1.1") == "999.1.1.1");
  CHECK(only(mask_kind::ipv4, "10.0.0.1abc") == "10.0.0.1abc");
  CHECK(with_defaults("/10.0.0.1:8080") == "<*>");
}

TEST_CASE("ipv6 addresses, and times or C++ scopes that are not") {
  using sp::mask_kind;
  CHECK(only(mask_kind::ipv6, "fe80::1") == "<*>");
  CHECK(only(mask_kind::ipv6, "2001:db8::2:1") == "<*>");
  CHECK(only(mask_kind::ipv6, "::1") == "<*>");
  CHECK(only(mask_kind::ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334") == "<*>");
  CHECK(only(mask_kind::ipv6, "12:34:56") == "12:34:56");
  CHECK(only(mask_kind::ipv6, "std::string") == "std::string");
  CHECK(only(mask_kind::ipv6, "a::b") == "a::b");
}

TEST_CASE("mac addresses need six groups of two hex digits") {
  using sp::mask_kind;
  CHECK(only(mask_kind::mac, "00:1a:2b:3c:4d:5e") == "<*>");
  CHECK(only(mask_kind::mac, "00-1A-2B-3C-4D-5E") == "<*>");
  CHECK(only(mask_kind::mac, "00:1a:2b:3c:4d") == "00:1a:2b:3c:4d");
  CHECK(only(mask_kind::mac, "00:1a:2b:3c:4d:5e:6f") == "00:1a:2b:3c:4d:5e:6f");
}

TEST_CASE("uuids need the 8-4-4-4-12 layout") {
  using sp::mask_kind;
  CHECK(only(mask_kind::uuid, "123e4567-e89b-12d3-a456-426614174000") == "<*>");
  CHECK(only(mask_kind::uuid, "[123e4567-e89b-12d3-a456-426614174000]") == "[<*>]");
  CHECK(only(mask_kind::uuid, "123e4567-e89b-12d3-a456-42661417400") ==
        "123e4567-e89b-12d3-a456-42661417400");
}

TEST_CASE("hex ids: 0x numbers and long mixed hex runs, not short or letter-only words") {
  using sp::mask_kind;
  CHECK(only(mask_kind::hex, "0x7f3a") == "<*>");
  CHECK(only(mask_kind::hex, "0X1F") == "<*>");
  CHECK(only(mask_kind::hex, "deadbeef01") == "<*>");
  CHECK(only(mask_kind::hex, "3c905b") == "<*>");
  CHECK(only(mask_kind::hex, "deadbeef") == "deadbeef");
  CHECK(only(mask_kind::hex, "e820") == "e820");
}

TEST_CASE("numbers: signed, decimal, exponent, dotted versions, not digits inside words") {
  using sp::mask_kind;
  for (const char* n : {"42", "-7", "+3", "3.14", "1e-9", "1.2.3", "2.6.5-1.358", "2015-10-18"}) {
    INFO(n);
    CHECK(only(mask_kind::number, n) == "<*>");
  }
  CHECK(only(mask_kind::number, "ssh2") == "ssh2");
  CHECK(only(mask_kind::number, "tty1") == "tty1");
  CHECK(only(mask_kind::number, "PS/2") == "PS/<*>");
  CHECK(only(mask_kind::number, "(order:") == "(order:");
}

TEST_CASE("urls need a scheme and keep the sentence's punctuation outside") {
  using sp::mask_kind;
  CHECK(only(mask_kind::url, "http://example.com/a?b=c") == "<*>");
  CHECK(only(mask_kind::url, "(https://example.org/y)") == "(<*>)");
  CHECK(only(mask_kind::url, "spark://Coarse@10.0.0.1:48069") == "<*>");
  CHECK(only(mask_kind::url, "http:/x") == "http:/x");
  CHECK(only(mask_kind::url, "http://") == "http://");
}

TEST_CASE("e-mail addresses need a dotted domain") {
  using sp::mask_kind;
  CHECK(only(mask_kind::email, "alice@example.com") == "<*>");
  // '<' and '>' glued to a variable are part of it (rendering conventions).
  CHECK(only(mask_kind::email, "<bob.smith+tag@mail.example.org>") == "<*>");
  CHECK(only(mask_kind::email, "(bob@mail.example.org)") == "(<*>)");
  CHECK(only(mask_kind::email, "alice@localhost") == "alice@localhost");
  CHECK(only(mask_kind::email, "QuorumServer@4d16f35d") == "QuorumServer@4d16f35d");
}

TEST_CASE("domain names end in a known top-level domain, dotted identifiers do not") {
  using sp::mask_kind;
  CHECK(only(mask_kind::domain, "host.example.com") == "<*>");
  CHECK(only(mask_kind::domain, "mail.example.co.uk") == "<*>");
  CHECK(only(mask_kind::domain, "example.com:443") == "<*>");
  CHECK(only(mask_kind::domain, "(ns1.example.net)") == "(<*>)");
  CHECK(only(mask_kind::domain, "mapred.job.id") == "mapred.job.id");
  CHECK(only(mask_kind::domain, "setup.py") == "setup.py");
  CHECK(only(mask_kind::domain, "org.apache.Foo") == "org.apache.Foo");
  CHECK(only(mask_kind::domain, "os.name=Linux") == "os.name=Linux");
}

TEST_CASE("absolute paths, Unix and Windows, a lone slash or a ratio is no path") {
  using sp::mask_kind;
  CHECK(only(mask_kind::path, "/var/log/app.log") == "<*>");
  CHECK(only(mask_kind::path, "'/udev/vcs'") == "'<*>'");
  CHECK(only(mask_kind::path, "C:\\Windows\\system32\\x.dll") == "<*>");
  CHECK(only(mask_kind::path, "\\\\server\\share") == "<*>");
  CHECK(only(mask_kind::path, "/src/app.cc:42") == "<*>");
  CHECK(only(mask_kind::path, "/") == "/");
  CHECK(only(mask_kind::path, "PS/2") == "PS/2");
  CHECK(only(mask_kind::path, "4G/4G") == "4G/4G");
}

TEST_CASE("times in one token") {
  using sp::mask_kind;
  CHECK(only(mask_kind::datetime, "12:34:56") == "<*>");
  CHECK(only(mask_kind::datetime, "12:34:56.789") == "<*>");
  CHECK(only(mask_kind::datetime, "18:01:47,978") == "<*>");
  CHECK(only(mask_kind::datetime, "12:34") == "<*>");
  CHECK(only(mask_kind::datetime, "123:45") == "123:45");
  CHECK(only(mask_kind::datetime, "1:2") == "1:2");
}

TEST_CASE("durations and sizes with their unit glued on") {
  using sp::mask_kind;
  CHECK(only(mask_kind::duration, "100ms") == "<*>");
  CHECK(only(mask_kind::duration, "1h30m") == "<*>");
  CHECK(only(mask_kind::duration, "-3s") == "<*>");
  CHECK(only(mask_kind::duration, "PT5M") == "<*>");
  CHECK(only(mask_kind::duration, "P1DT2H") == "<*>");
  CHECK(only(mask_kind::duration, "42") == "42");
  CHECK(only(mask_kind::duration, "16KB") == "16KB");
  CHECK(only(mask_kind::duration, "POST") == "POST");
  CHECK(only(mask_kind::size, "16KB") == "<*>");
  CHECK(only(mask_kind::size, "1.5GiB") == "<*>");
  CHECK(only(mask_kind::size, "100ms") == "100ms");
  CHECK(only(mask_kind::size, "1e-9") == "1e-9");
  CHECK(with_defaults("100ms") == "<*>");
  CHECK(with_defaults("16KB") == "<*>");
  CHECK(with_defaults("ms") == "ms");
}

TEST_CASE("the placeholder itself, written in a message, reads back as a variable") {
  CHECK(with_defaults("<*>") == "<*>");
  CHECK(with_defaults("a<*>b") == "<*>");
  CHECK(shape_with({}, "<*>") == "<*>");
}

TEST_CASE("key=value: a value holding a variable, or a letters-and-digits word, is one") {
  using sp::mask_kind;
  CHECK(only(mask_kind::key_value, "id=ab12cd") == "id=<*>");
  CHECK(only(mask_kind::key_value, "tty=NODEVssh") == "tty=NODEVssh");
  CHECK(only(mask_kind::key_value, "class=HttpServer2$X") == "class=HttpServer2$X");
  CHECK(with_defaults("setTodayTotalDetailSteps=1514044800000##7007##548") ==
        "setTodayTotalDetailSteps=<*>");
  CHECK(with_defaults("headroom=<memory:0,") == "headroom=<memory:<*>,");
  CHECK(with_defaults("time=1,2,3") == "time=<*>,<*>,<*>");
  CHECK(with_defaults("(uid=0)") == "(uid=<*>)");
  CHECK(with_defaults("rhost=218.188.2.4") == "rhost=<*>");
}

TEST_CASE("identifiers with a numeric part keep their shape: one variable, never split") {
  using sp::mask_kind;
  CHECK(only(mask_kind::identifier, "blk_-1608999687919862906") == "<*>");
  CHECK(with_defaults("blk_-1608999687919862906") == "<*>");
  CHECK(with_defaults("blk_38865049064139660") == "<*>");
  CHECK(only(mask_kind::identifier, "job_201706092018_0024") == "<*>");
  CHECK(only(mask_kind::identifier, "broadcast_0_piece0") == "<*>");
  CHECK(only(mask_kind::identifier, "node-12:9000") == "<*>");
  CHECK(only(mask_kind::identifier, "mesos-slave-07") == "<*>");
  CHECK(only(mask_kind::identifier, "steps1514044800223") == "<*>");
  CHECK(only(mask_kind::identifier, "jk2_init()") == "jk2_init()");
  CHECK(only(mask_kind::identifier, "SCREEN_ON") == "SCREEN_ON");
  CHECK(only(mask_kind::identifier, "utf-8") == "utf-8");
}

TEST_CASE("booleans, null and well-known account names are values as whole words only") {
  using sp::mask_kind;
  CHECK(only(mask_kind::boolean, "true") == "<*>");
  CHECK(only(mask_kind::boolean, "FALSE,") == "<*>,");
  CHECK(only(mask_kind::boolean, "null") == "<*>");
  CHECK(only(mask_kind::boolean, "trueish") == "trueish");
  CHECK(only(mask_kind::account, "root") == "<*>");
  CHECK(only(mask_kind::account, "(admin)") == "(<*>)");
  CHECK(only(mask_kind::account, "rooted") == "rooted");
  CHECK(only(mask_kind::boolean, "root") == "root");
}

TEST_CASE("rendering: a piece glued to a variable and dotted variables are one variable") {
  CHECK(with_defaults("vCores:1>") == "vCores:<*>");
  CHECK(with_defaults("dquot_6.5.1") == "<*>");
  CHECK(with_defaults("1514038530000|14|0|4") == "<*>|<*>|<*>|<*>");
  CHECK(with_defaults("7007##548") == "<*>##<*>");
  CHECK(with_defaults("onExtend:1514038530000") == "onExtend:<*>");
}

TEST_CASE("no mask: tokens are their own shape") {
  CHECK(shape_with({}, "10.0.0.1") == "10.0.0.1");
  CHECK(shape_with({}, "/var/log/x") == "/var/log/x");
  CHECK(shape_with({}, "true") == "true");
}

TEST_CASE("the shape reports its variables and digits") {
  const sp::token_masker masker(sp::default_masks());
  std::string out;
  auto info = masker.shape("time=1,2,3", out);
  CHECK(info.vars == 3);
  CHECK_FALSE(info.digit);
  out.clear();
  info = masker.shape("ssh2", out);
  CHECK(info.vars == 0);
  CHECK(info.digit);
}

TEST_CASE("mask kinds have stable names") {
  for (const auto& m : sp::default_masks()) {
    sp::mask_kind back{};
    REQUIRE(sp::mask_kind_from_name(sp::mask_kind_name(m.kind), back));
    CHECK(back == m.kind);
  }
  sp::mask_kind k{};
  CHECK_FALSE(sp::mask_kind_from_name("nonsense", k));
  CHECK(sp::mask_kind_name(sp::mask_kind::key_value) == "key_value");
  CHECK(sp::default_masks().size() == 17);
}

TEST_CASE("dates and sizes written over several tokens become one variable") {
  sp::drain_miner miner;
  CHECK(miner.add("connection from 10.0.0.1 at Fri Jun 17 07:07:00 2005").template_text ==
        "connection from <*> at <*>");
  CHECK(miner.add("job started 2015-10-18 18:01:47,978 by cron").template_text ==
        "job started <*> by cron");
  CHECK(miner.add("stored (estimated size 16.0 KB, free 2.3 GB)").template_text ==
        "stored (estimated size <*>, free <*>)");
  // A lone month name is a word.
  CHECK(miner.add("backup planned for May").template_text == "backup planned for May");
}

TEST_CASE("custom RE2 masks match over the whole message, across whitespace") {
  sp::drain_options opt;
  opt.masks.push_back(sp::mask{sp::mask_kind::regex, "ticket #[A-Z]+ [0-9]+"});
  opt.masks.push_back(sp::mask{sp::mask_kind::regex, "ORD-[A-Z]{3}"});
  sp::drain_miner miner(opt);
  CHECK(miner.configuration_error().empty());
  std::vector<std::string> params;
  const auto m = miner.add("closed ticket #ABC 12 for ORD-XYZ", &params);
  CHECK(m.template_text == "closed <*> for <*>");
  CHECK(params == std::vector<std::string>{"ticket #ABC 12", "ORD-XYZ"});
  CHECK(miner.add("order(ORD-QQQ) shipped").template_text == "order(<*>) shipped");
}

TEST_CASE("an invalid RE2 mask is reported and ignored") {
  sp::drain_options opt;
  opt.masks.push_back(sp::mask{sp::mask_kind::regex, "([unclosed"});
  sp::drain_miner miner(opt);
  CHECK_FALSE(miner.configuration_error().empty());
  CHECK(miner.add("still works 10.0.0.1").template_text == "still works <*>");
}
