#include "runtime/parse/syslog_decoder.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/parse/raw_decoder.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"
#include "tests/unit/parse/loghub.hpp"

using seerflow::model::event;
using seerflow::model::field;
using seerflow::parse::decode_notes;
using seerflow::parse::decode_options;
using seerflow::parse::decode_syslog;
using seerflow::parse::rejection;
using seerflow::util::format_rfc3339;
using seerflow::util::to_unix_ns;

namespace {

const std::string bom = "\xEF\xBB\xBF";

decode_options opts_near(std::int64_t y, unsigned m, unsigned d) {
  decode_options o;
  o.time.reference_ns = to_unix_ns(y, m, d, 0, 0, 0);
  return o;
}

struct decoded {
  bool ok = false;
  event ev;
  rejection why;
  decode_notes notes;
  std::string time() const { return ev.time_from_log ? format_rfc3339(ev.time_ns) : "none"; }
};

decoded run(std::string_view record, const decode_options& o = opts_near(2003, 10, 1)) {
  decoded d;
  d.ok = decode_syslog(record, o, d.ev, d.why, d.notes);
  if (d.ok) CHECK(d.why.reason.empty());
  return d;
}

std::string_view reason_of(std::string_view record,
                           const decode_options& o = opts_near(2003, 10, 1)) {
  decoded d = run(record, o);
  if (d.ok) return "accepted";
  CHECK_FALSE(d.why.detail.empty());
  return d.why.reason;
}

}  // namespace

TEST_CASE("RFC 5424 §6.5 example 1: no structured data, BOM before MSG") {
  const auto d = run("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + bom +
                     "'su root' failed for lonvick on /dev/pts/8");
  REQUIRE(d.ok);
  CHECK(d.ev.facility == 4);
  CHECK(d.ev.severity == 2);
  CHECK(d.time() == "2003-10-11T22:14:15.003Z");
  CHECK(d.ev.time_ns == 1065910455003000000);
  CHECK(d.ev.host == "mymachine.example.com");
  CHECK(d.ev.app == "su");
  CHECK(d.ev.procid == "");
  CHECK(d.ev.msgid == "ID47");
  CHECK(d.ev.message == "'su root' failed for lonvick on /dev/pts/8");
  CHECK(d.ev.fields.empty());
  CHECK_FALSE(d.notes.header_missing);
  CHECK_FALSE(d.notes.time_missing);
  CHECK_FALSE(d.notes.utf8_repaired);
}

TEST_CASE("RFC 5424 §6.5 example 2: offset and microseconds, no BOM") {
  const auto d =
      run("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's "
          "time to make the do-nuts.");
  REQUIRE(d.ok);
  CHECK(d.ev.facility == 20);
  CHECK(d.ev.severity == 5);
  CHECK(d.time() == "2003-08-24T12:14:15.000003Z");
  CHECK(d.ev.host == "192.0.2.1");
  CHECK(d.ev.app == "myproc");
  CHECK(d.ev.procid == "8710");
  CHECK(d.ev.msgid == "");
  CHECK(d.ev.message == "%% It's time to make the do-nuts.");
  CHECK(d.ev.fields.empty());
}

TEST_CASE("RFC 5424 §6.5 example 3: one SD-ELEMENT and a message") {
  const auto d =
      run("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] " +
          bom + "An application event log entry...");
  REQUIRE(d.ok);
  CHECK(d.ev.facility == 20);
  CHECK(d.ev.severity == 5);
  CHECK(d.time() == "2003-10-11T22:14:15.003Z");
  CHECK(d.ev.host == "mymachine.example.com");
  CHECK(d.ev.app == "evntslog");
  CHECK(d.ev.procid == "");
  CHECK(d.ev.msgid == "ID47");
  CHECK(d.ev.message == "An application event log entry...");
  CHECK(d.ev.fields == std::vector<field>{{"exampleSDID@32473.iut", "3"},
                                          {"exampleSDID@32473.eventSource", "Application"},
                                          {"exampleSDID@32473.eventID", "1011"}});
}

TEST_CASE("RFC 5424 §6.5 example 4: two SD-ELEMENTs and no message") {
  const auto d =
      run("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
          "[examplePriority@32473 class=\"high\"]");
  REQUIRE(d.ok);
  CHECK(d.ev.message == "");
  CHECK(d.ev.fields == std::vector<field>{{"exampleSDID@32473.iut", "3"},
                                          {"exampleSDID@32473.eventSource", "Application"},
                                          {"exampleSDID@32473.eventID", "1011"},
                                          {"examplePriority@32473.class", "high"}});
}

TEST_CASE("RFC 5424 structured data: escapes, parameter-less elements, brackets in values") {
  const auto d = run(R"(<14>1 - - - - - [id@1 a="x\"y" b="p\\q" c="r\]s" d="t\u" e=""][meta@2] )"
                     "msg [with] brackets");
  REQUIRE(d.ok);
  CHECK(d.ev.fields == std::vector<field>{{"id@1.a", "x\"y"},
                                          {"id@1.b", "p\\q"},
                                          {"id@1.c", "r]s"},
                                          {"id@1.d", "t\\u"},
                                          {"id@1.e", ""},
                                          {"meta@2", ""}});
  CHECK(d.ev.message == "msg [with] brackets");
  CHECK(d.notes.time_missing);
  CHECK(d.ev.host.empty());
  CHECK(d.ev.app.empty());
  // An unescaped ']' inside a quoted value is unambiguous; it is accepted as is.
  const auto lenient = run(R"(<14>1 - - - - - [a b="]"] m)");
  REQUIRE(lenient.ok);
  CHECK(lenient.ev.fields == std::vector<field>{{"a.b", "]"}});
  CHECK(lenient.ev.message == "m");
}

TEST_CASE("RFC 5424 NILVALUEs, field limits at their maximum, nine-digit fractions") {
  event ev;
  ev.time_ns = 42;
  rejection why;
  decode_notes notes;
  REQUIRE(decode_syslog("<0>1 - - - - - -", decode_options{}, ev, why, notes));
  CHECK(ev.time_ns == 42);  // no time: left as the caller set it
  CHECK_FALSE(ev.time_from_log);
  CHECK(notes.time_missing);
  CHECK(ev.facility == 0);
  CHECK(ev.severity == 0);
  CHECK(ev.message.empty());

  const std::string host(255, 'h'), app(48, 'a'), procid(128, 'p'), msgid(32, 'm'), sdname(32, 's');
  const auto d = run("<191>1 2003-10-11T22:14:15.123456789+01:30 " + host + " " + app + " " +
                     procid + " " + msgid + " [" + sdname + " " + sdname + "=\"v\"] hi");
  REQUIRE(d.ok);
  CHECK(d.ev.facility == 23);
  CHECK(d.ev.severity == 7);
  CHECK(d.time() == "2003-10-11T20:44:15.123456789Z");
  CHECK(d.ev.host == host);
  CHECK(d.ev.app == app);
  CHECK(d.ev.procid == procid);
  CHECK(d.ev.msgid == msgid);
  CHECK(d.ev.fields == std::vector<field>{{sdname + "." + sdname, "v"}});
  CHECK(d.ev.message == "hi");
}

TEST_CASE("RFC 5424 malformed headers are bad_header") {
  const std::string ok_tail = " host app - - - msg";
  CHECK(reason_of("<13>1 2003-13-11T22:14:15Z" + ok_tail) == "bad_header");
  CHECK(reason_of("<13>1 2003-10-11T22:14:15" + ok_tail) == "bad_header");
  CHECK(reason_of("<13>1 2003-10-11 22:14:15Z" + ok_tail) == "bad_header");
  CHECK(reason_of("<13>1 Oct 11 22:14:15 host app - - - msg") == "bad_header");
  CHECK(reason_of("<13>1 2003-10-11T22:14:15Z  app - - - msg") == "bad_header");  // empty HOSTNAME
  CHECK(reason_of("<13>1 - " + std::string(256, 'h') + " app - - - m") == "bad_header");
  CHECK(reason_of("<13>1 - h " + std::string(49, 'a') + " - - - m") == "bad_header");
  CHECK(reason_of("<13>1 - h a " + std::string(129, 'p') + " - - m") == "bad_header");
  CHECK(reason_of("<13>1 - h a - " + std::string(33, 'm') + " - m") == "bad_header");
  CHECK(reason_of("<13>1 - h\xC3\xA9 a - - - m") == "bad_header");  // not PRINTUSASCII
  CHECK(reason_of("<13>1 - h\ta - - - m") == "bad_header");
  CHECK(reason_of("<13>1 - - - - -") == "bad_header");  // no STRUCTURED-DATA
  CHECK(reason_of("<13>1 ") == "bad_header");           // a trailing blank is not stripped
  CHECK(reason_of("<13>1 -") == "bad_header");
  CHECK(reason_of("<13>1 - - -") == "bad_header");
}

TEST_CASE("RFC 5424 malformed structured data is bad_structured_data") {
  const std::string head = "<13>1 - h a - - ";
  const std::vector<std::string> cases = {"x msg",
                                          "-x msg",
                                          "[",
                                          "[]",
                                          "[ a=\"1\"]",
                                          "[id a=1]",
                                          "[id a=\"1\"",
                                          "[id a=\"1]",
                                          "[id a=\"1\"]x",
                                          "[id  a=\"1\"]",
                                          "[id =\"1\"]",
                                          "[id a\"1\"]",
                                          "[id a=\"1\"b=\"2\"]",
                                          "[" + std::string(33, 's') + "]",
                                          "[id " + std::string(33, 'p') + "=\"1\"]",
                                          "[id a=\"1\\\"]",
                                          "[i\"d a=\"1\"]",
                                          "[id\xC3\xA9 a=\"1\"]",
                                          "[id a=\"1\"][",
                                          "[id]]"};
  for (const std::string& sd : cases) {
    INFO(sd);
    CHECK(reason_of(head + sd) == "bad_structured_data");
  }
}

TEST_CASE("a version other than 1 is bad_version") {
  CHECK(reason_of("<13>2 2003-10-11T22:14:15Z h a - - - m") == "bad_version");
  CHECK(reason_of("<13>10 2003-10-11T22:14:15Z h a - - - m") == "bad_version");
  CHECK(reason_of("<13>999 x") == "bad_version");
}

TEST_CASE("invalid PRI values are bad_pri") {
  for (const char* r :
       {"<999>1 - - - - - -", "<abc>message", "<>message", "<0012>message", "<012>message",
        "<192>message", "<13", "<", "<-1>m", "<1 3>m", "<13 >m", "<1000>m"}) {
    INFO(r);
    CHECK(reason_of(r) == "bad_pri");
  }
  CHECK(run("<0>m").ev.facility == 0);
  CHECK(run("<191>m").ev.severity == 7);
}

TEST_CASE("RFC 3164 §5.4 examples") {
  {
    const auto d =
        run("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
    REQUIRE(d.ok);
    CHECK(d.ev.facility == 4);
    CHECK(d.ev.severity == 2);
    CHECK(d.time() == "2003-10-11T22:14:15Z");
    CHECK(d.ev.host == "mymachine");
    CHECK(d.ev.app == "su");
    CHECK(d.ev.procid == "");
    CHECK(d.ev.msgid == "");
    CHECK(d.ev.message == "'su root' failed for lonvick on /dev/pts/8");
  }
  {
    const auto d = run("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", opts_near(2003, 1, 1));
    REQUIRE(d.ok);
    CHECK(d.ev.facility == 1);
    CHECK(d.ev.severity == 5);
    CHECK(d.time() == "2003-02-05T17:32:18Z");
    CHECK(d.ev.host == "10.0.0.99");
    CHECK(d.ev.app == "");  // "Use" is followed by neither ':' nor "[pid]"
    CHECK(d.ev.message == "Use the BFG!");
  }
  {
    // The RFC's own reading: "CST" is taken as HOSTNAME and the rest is content.
    const auto d =
        run("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make "
            "the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, "
            "Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%");
    REQUIRE(d.ok);
    CHECK(d.ev.facility == 20);
    CHECK(d.ev.severity == 5);
    CHECK(d.time() == "2003-08-24T05:34:00Z");
    CHECK(d.ev.host == "CST");
    CHECK(d.ev.app == "");
    CHECK(d.ev.message.rfind("1987 mymachine myproc[10]: %% It's time", 0) == 0);
  }
  {
    // Not a valid TIMESTAMP: RFC 3164 §4.3.2 keeps everything after PRI as the message.
    event ev;
    ev.time_ns = 7;
    rejection why;
    decode_notes notes;
    REQUIRE(
        decode_syslog("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: "
                      "That's All Folks!",
                      opts_near(2003, 1, 1), ev, why, notes));
    CHECK(ev.facility == 0);
    CHECK(ev.severity == 0);
    CHECK(ev.time_ns == 7);
    CHECK_FALSE(ev.time_from_log);
    CHECK(notes.time_missing);
    CHECK_FALSE(notes.header_missing);
    CHECK(ev.host.empty());
    CHECK(
        ev.message ==
        "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!");
  }
}

TEST_CASE("RFC 3164 as senders write it: no hostname, tags, ISO stamps, Cisco") {
  const auto o = opts_near(2017, 12, 1);
  {
    const auto d = run("<38>Dec 10 06:55:46 sshd[24200]: Invalid user webmaster", o);
    REQUIRE(d.ok);
    CHECK(d.ev.host == "");
    CHECK(d.ev.app == "sshd");
    CHECK(d.ev.procid == "24200");
    CHECK(d.ev.message == "Invalid user webmaster");
  }
  {
    const auto d = run("<6>Dec  1 10:00:00 kernel: [ 1.234] usb 1-1: new device", o);
    REQUIRE(d.ok);
    CHECK(d.time() == "2017-12-01T10:00:00Z");
    CHECK(d.ev.host == "");
    CHECK(d.ev.app == "kernel");
    CHECK(d.ev.message == "[ 1.234] usb 1-1: new device");
  }
  {
    const auto d = run("<30>Dec  1 10:00:00 web-01 postfix/smtpd[123] connect from x", o);
    REQUIRE(d.ok);
    CHECK(d.ev.host == "web-01");
    CHECK(d.ev.app == "postfix/smtpd");
    CHECK(d.ev.procid == "123");
    CHECK(d.ev.message == "connect from x");
  }
  {
    const auto d = run("<30>Dec  1 10:00:00 fe80::1 ntpd[5]: sync", o);  // IPv6 host
    REQUIRE(d.ok);
    CHECK(d.ev.host == "fe80::1");
    CHECK(d.ev.app == "ntpd");
  }
  {
    const auto d = run("<30>Dec  1 10:00:00 2001:db8:: ntpd: sync", o);
    REQUIRE(d.ok);
    CHECK(d.ev.host == "2001:db8::");
    CHECK(d.ev.app == "ntpd");
    CHECK(d.ev.message == "sync");
  }
  {
    // rsyslog's high-precision format (RSYSLOG_ForwardFormat).
    const auto d = run("<13>2019-03-01T10:00:00.123456+01:00 host1 app[77]: hello", o);
    REQUIRE(d.ok);
    CHECK(d.ev.facility == 1);
    CHECK(d.time() == "2019-03-01T09:00:00.123456Z");
    CHECK(d.ev.host == "host1");
    CHECK(d.ev.app == "app");
    CHECK(d.ev.procid == "77");
    CHECK(d.ev.message == "hello");
  }
  {
    const auto d = run("<189>Mar  1 18:46:11.123: %LINK-3-UPDOWN: Interface Gi0/1, changed", o);
    REQUIRE(d.ok);
    CHECK(d.time() == "2018-03-01T18:46:11.123Z");
    CHECK(d.ev.host.empty());
    CHECK(d.ev.app.empty());
    CHECK(d.ev.message == "%LINK-3-UPDOWN: Interface Gi0/1, changed");
  }
  {
    const auto d = run("<13>Dec 10 2017 06:55:46 router1 app: m", o);  // year in the stamp
    REQUIRE(d.ok);
    CHECK(d.time() == "2017-12-10T06:55:46Z");
    CHECK(d.ev.host == "router1");
  }
  {
    const auto d = run("<13>Dec 10 06:55:46 host", o);
    REQUIRE(d.ok);
    CHECK(d.ev.host == "host");
    CHECK(d.ev.message.empty());
  }
  {
    const auto d = run("<13>Dec 10 06:55:46 host app[12 x]: m", o);  // broken [pid]: no tag
    REQUIRE(d.ok);
    CHECK(d.ev.app.empty());
    CHECK(d.ev.message == "app[12 x]: m");
  }
  {
    const auto d = run("<13>Dec 10 06:55:46 host http://example.com/ down", o);
    REQUIRE(d.ok);
    CHECK(d.ev.app.empty());
    CHECK(d.ev.message == "http://example.com/ down");
  }
  {
    const auto d = run("<13>hello world", o);
    REQUIRE(d.ok);
    CHECK(d.notes.time_missing);
    CHECK_FALSE(d.notes.header_missing);
    CHECK(d.ev.message == "hello world");
  }
}

TEST_CASE("PRI-less files: the OpenSSH and Linux formats") {
  const auto o = opts_near(2017, 12, 1);
  const auto d =
      run("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186", o);
  REQUIRE(d.ok);
  CHECK(d.time() == "2017-12-10T06:55:46Z");
  CHECK(d.ev.facility == -1);
  CHECK(d.ev.severity == -1);
  CHECK(d.ev.host == "LabSZ");
  CHECK(d.ev.app == "sshd");
  CHECK(d.ev.procid == "24200");
  CHECK(d.ev.message == "Invalid user webmaster from 173.234.31.186");
  CHECK_FALSE(d.notes.header_missing);

  const auto l = run("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown",
                     opts_near(2005, 6, 1));
  REQUIRE(l.ok);
  CHECK(l.time() == "2005-06-14T15:16:01Z");
  CHECK(l.ev.host == "combo");
  CHECK(l.ev.app == "sshd(pam_unix)");
  CHECK(l.ev.procid == "19939");
  CHECK(l.ev.message == "check pass; user unknown");
}

TEST_CASE("records without PRI or header are plain messages") {
  const auto a = run("just a message with no header");
  REQUIRE(a.ok);
  CHECK(a.notes.header_missing);
  CHECK(a.notes.time_missing);
  CHECK(a.ev.message == "just a message with no header");
  CHECK(a.ev.facility == -1);
  CHECK(a.ev.severity == -1);

  const auto b = run("2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: started");
  REQUIRE(b.ok);
  CHECK(b.notes.header_missing);
  CHECK_FALSE(b.notes.time_missing);
  CHECK(b.time() == "2015-10-18T18:01:47.978Z");
  CHECK(b.ev.severity == 6);
  CHECK(b.ev.host.empty());
  CHECK(b.ev.message == "2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: started");

  const auto c = run("Dec 10 06:55:46: colon after stamp", opts_near(2017, 12, 1));
  REQUIRE(c.ok);
  CHECK(c.notes.header_missing);
  CHECK(c.time() == "2017-12-10T06:55:46Z");
}

TEST_CASE("trailing CR, LF and NUL are stripped - common rejections") {
  const auto d = run(std::string("<13>Dec 10 06:55:46 h a: m\r\n\0\0", 30));
  REQUIRE(d.ok);
  CHECK(d.ev.message == "m");

  CHECK(reason_of("") == "empty");
  CHECK(reason_of("\r\n") == "empty");
  CHECK(reason_of(std::string("\0\0", 2)) == "empty");
  CHECK(reason_of(std::string("<13>a\0b", 7)) == "binary");
  CHECK(reason_of("<13>\x01\x02\x03\x04\x05\x06\x07\x08") == "binary");

  decode_options small = opts_near(2003, 1, 1);
  small.max_message = 40;
  CHECK(reason_of("<13>Oct 11 22:14:15 h a: " + std::string(40, 'x'), small) == "accepted");
  CHECK(reason_of("<13>Oct 11 22:14:15 h a: " + std::string(41, 'x'), small) == "oversized");
  CHECK(reason_of("<13>1 - h a - - [x@1 p=\"" + std::string(50, 'v') + "\"] m", small) ==
        "accepted");
  CHECK(reason_of("<13>1 - h a - - [x@1 p=\"" + std::string(60, 'v') + "\"] m", small) ==
        "oversized");  // a record over twice the limit, whatever its message
  CHECK(reason_of(std::string(40, 'x'), small) == "accepted");
  CHECK(reason_of(std::string(41, 'x'), small) == "oversized");
  CHECK(reason_of("<13>" + std::string(41, 'x'), small) == "oversized");
}

TEST_CASE("invalid UTF-8 is repaired and reported, or rejected when configured") {
  const std::string bad = "<13>Oct 11 22:14:15 h a: caf\xE9 \xC0\xAF!";
  decode_options o = opts_near(2003, 1, 1);
  const auto d = run(bad, o);
  REQUIRE(d.ok);
  CHECK(d.notes.utf8_repaired);
  CHECK(d.ev.message == "caf\xEF\xBF\xBD \xEF\xBF\xBD!");
  CHECK(seerflow::util::is_valid_utf8(d.ev.message));
  o.reject_invalid_utf8 = true;
  CHECK(reason_of(bad, o) == "invalid_utf8");
  // A valid multi-byte message is untouched either way.
  const auto ok = run("<13>Oct 11 22:14:15 h a: caf\xC3\xA9 \xE2\x9C\x93", o);
  REQUIRE(ok.ok);
  CHECK(ok.ev.message == "caf\xC3\xA9 \xE2\x9C\x93");
  CHECK_FALSE(ok.notes.utf8_repaired);
}

TEST_CASE("the decoder leaves seq, source, peer and arrival alone, and ev untouched on rejection") {
  event ev;
  ev.seq = 9;
  ev.source = "src";
  ev.peer = "10.0.0.1:514";
  ev.arrival_ns = 123;
  ev.fields = {{"stale", "x"}};
  ev.host = "stale-host";
  rejection why;
  decode_notes notes;
  REQUIRE(decode_syslog("<13>Oct 11 22:14:15 m su: x", opts_near(2003, 1, 1), ev, why, notes));
  CHECK(ev.seq == 9);
  CHECK(ev.source == "src");
  CHECK(ev.peer == "10.0.0.1:514");
  CHECK(ev.arrival_ns == 123);
  CHECK(ev.fields.empty());
  CHECK(ev.host == "m");

  const event before = ev;
  notes.utf8_repaired = true;
  CHECK_FALSE(decode_syslog("<13>1 - - - - - [bad", decode_options{}, ev, why, notes));
  CHECK(why.reason == "bad_structured_data");
  CHECK(ev.message == before.message);
  CHECK(ev.host == before.host);
  CHECK(ev.time_ns == before.time_ns);
  CHECK(ev.fields == before.fields);
  CHECK_FALSE(notes.utf8_repaired);  // notes are reset by every call
}

TEST_CASE("the first line of each loghub log decodes with its time") {
  struct expected {
    const char* name;
    std::int64_t ref_year;
    unsigned ref_month;
    const char* time;
    int severity;
  };
  // Apache, HDFS, Hadoop, HealthApp, Spark, Zookeeper have no syslog header: they decode as plain
  // messages with the stamp and level word of the line.
  const expected cases[] = {
      {"Apache", 2005, 12, "2005-12-04T04:47:44Z", 5},
      {"HDFS", 2008, 11, "2008-11-09T20:36:15Z", 6},
      {"Hadoop", 2015, 10, "2015-10-18T18:01:47.978Z", 6},
      {"HealthApp", 2017, 12, "2017-12-23T22:15:29.606Z", -1},
      {"Linux", 2005, 6, "2005-06-14T15:16:01Z", -1},
      {"OpenSSH", 2017, 12, "2017-12-10T06:55:46Z", -1},
      {"Spark", 2017, 6, "2017-06-09T20:10:40Z", 6},
      {"Zookeeper", 2015, 7, "2015-07-29T17:41:44.747Z", 6},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto lines = seerflow::test::loghub_lines(c.name);
    REQUIRE(!lines.empty());
    const auto d = run(lines.front(), opts_near(c.ref_year, c.ref_month, 1));
    REQUIRE(d.ok);
    CHECK(d.time() == c.time);
    CHECK(d.ev.severity == c.severity);
    const bool syslog_file =
        std::string_view(c.name) == "Linux" || std::string_view(c.name) == "OpenSSH";
    CHECK(d.notes.header_missing == !syslog_file);
  }
  const auto ssh = run(seerflow::test::loghub_lines("OpenSSH").front(), opts_near(2017, 12, 1));
  CHECK(ssh.ev.host == "LabSZ");
  CHECK(ssh.ev.app == "sshd");
  CHECK(ssh.ev.procid == "24200");
  CHECK(ssh.ev.message ==
        "reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - "
        "POSSIBLE BREAK-IN ATTEMPT!");
  const auto linux_first =
      run(seerflow::test::loghub_lines("Linux").front(), opts_near(2005, 6, 1));
  CHECK(linux_first.ev.host == "combo");
  CHECK(linux_first.ev.app == "sshd(pam_unix)");
  CHECK(linux_first.ev.procid == "19939");
  CHECK(linux_first.ev.message ==
        "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ");
}

TEST_CASE("every loghub line decodes - OpenSSH and Linux match loghub's structured columns") {
  for (const char* name : seerflow::test::loghub_names) {
    INFO(name);
    decode_options o = opts_near(2010, 1, 1);
    std::size_t with_time = 0;
    const auto lines = seerflow::test::loghub_lines(name);
    REQUIRE(lines.size() == 2000);
    for (const auto& line : lines) {
      const auto d = run(line, o);
      INFO(line);
      REQUIRE(d.ok);
      if (d.ev.time_from_log) {
        ++with_time;
        o.time.reference_ns = d.ev.time_ns;  // replay: the previous record is the reference
      }
    }
    // Every one of the eight formats carries a recognised stamp on every line.
    CHECK(with_time == lines.size());
  }

  // OpenSSH: host, app, pid and message as loghub's structured CSV has them.
  {
    const auto lines = seerflow::test::loghub_lines("OpenSSH");
    const auto rows = seerflow::test::loghub_structured("OpenSSH");
    REQUIRE(rows.size() == lines.size());
    decode_options o = opts_near(2017, 12, 1);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto d = run(lines[i], o);
      INFO(lines[i]);
      REQUIRE(d.ok);
      REQUIRE(d.ev.time_from_log);
      CHECK(d.ev.host == rows[i][4]);
      CHECK(d.ev.app == "sshd");
      CHECK(d.ev.procid == rows[i][5]);
      std::string_view msg = d.ev.message;
      while (!msg.empty() && msg.back() == ' ') msg.remove_suffix(1);
      CHECK(msg == rows[i][6]);
      o.time.reference_ns = d.ev.time_ns;
    }
  }
  // Linux: Level column is the host, Component the tag (loghub counts "syslogd 1.4.1" and
  // "-- root" as components; they contain a blank, so for us they start the message).
  {
    const auto lines = seerflow::test::loghub_lines("Linux");
    const auto rows = seerflow::test::loghub_structured("Linux");
    REQUIRE(rows.size() == lines.size());
    decode_options o = opts_near(2005, 6, 1);
    std::size_t with_blank = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto d = run(lines[i], o);
      INFO(lines[i]);
      REQUIRE(d.ok);
      REQUIRE(d.ev.time_from_log);
      CHECK(d.ev.host == rows[i][4]);
      const std::string& component = rows[i][5];
      std::string pid = rows[i][6];
      if (pid.size() > 2 && pid.substr(pid.size() - 2) == ".0") pid.resize(pid.size() - 2);
      // loghub trims the content; we keep it as written (kernel lines are indented).
      std::string_view msg = d.ev.message;
      while (!msg.empty() && msg.back() == ' ') msg.remove_suffix(1);
      while (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
      if (component.find(' ') != std::string::npos) {
        ++with_blank;
        CHECK(d.ev.app.empty());
        CHECK(msg.rfind(component, 0) == 0);
        continue;
      }
      CHECK(d.ev.app == component);
      CHECK(d.ev.procid == pid);
      CHECK(msg == rows[i][7]);
      o.time.reference_ns = d.ev.time_ns;
    }
    CHECK(with_blank == 8);
  }
}

TEST_CASE("randomized records and mutations of valid records never crash") {
  std::mt19937_64 rng(5424);
  const std::string seeds[] = {
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + bom +
          "'su root' failed",
      "<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"App\\\"x\\]\"][examplePriority@32473 class=\"high\"] msg",
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick",
      "<13>2019-03-01T10:00:00.123456+01:00 host1 app[77]: hello",
      "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
      "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure;",
      "2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: started",
  };
  decode_options o = opts_near(2010, 1, 1);
  o.max_message = 200;
  std::size_t accepted = 0, rejected = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::string s;
    if (iter % 4 == 0) {
      s.resize(rng() % 300);
      for (auto& c : s) c = static_cast<char>(rng());
      if (iter % 8 == 0 && !s.empty()) s[0] = '<';
    } else {
      s = seeds[rng() % std::size(seeds)];
      const int mutations = 1 + static_cast<int>(rng() % 5);
      for (int m = 0; m < mutations; ++m) {
        const std::size_t pos = rng() % (s.size() + 1);
        switch (rng() % 5) {
          case 0:
            if (pos < s.size()) s[pos] = static_cast<char>(rng());
            break;
          case 1:
            s.insert(pos, 1, "<>[]\"\\ =-:0123456789"[rng() % 20]);
            break;
          case 2:
            if (pos < s.size()) s.erase(pos, 1 + rng() % 8);
            break;
          case 3:
            s.resize(pos);
            break;
          case 4:
            s.insert(pos, std::string(rng() % 300, 'A'));
            break;
        }
      }
    }
    event ev;
    rejection why;
    decode_notes notes;
    if (decode_syslog(s, o, ev, why, notes)) {
      ++accepted;
      REQUIRE(why.reason.empty());
      REQUIRE(ev.message.size() <= o.max_message);
      REQUIRE(seerflow::util::is_valid_utf8(ev.message));
      REQUIRE(seerflow::util::is_valid_utf8(ev.host));
      for (const auto& f : ev.fields) REQUIRE(seerflow::util::is_valid_utf8(f.value));
    } else {
      ++rejected;
      REQUIRE(!why.reason.empty());
      REQUIRE(!why.detail.empty());
    }
  }
  CHECK(accepted > 5000);
  CHECK(rejected > 1000);
}
