#include "runtime/util/hmac_sha256.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace seerflow::util;

TEST_CASE("hmac_sha256 matches RFC 4231 test vectors", "[util][hmac]") {
  // Test case 2: key "Jefe".
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: 20 bytes of 0x0b.
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 6: a key longer than the block size is hashed first.
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                        "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("an empty key and an empty message are legal", "[util][hmac]") {
  CHECK(hmac_sha256_hex("", "") ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("constant_time_equal compares contents and lengths", "[util][hmac]") {
  CHECK(constant_time_equal("token", "token"));
  CHECK_FALSE(constant_time_equal("token", "tokeN"));
  CHECK_FALSE(constant_time_equal("token", "token2"));
  CHECK(constant_time_equal("", ""));
}

TEST_CASE("verify_hub_signature accepts GitHub's header form only", "[util][hmac]") {
  const std::string body = R"({"zen":"Keep it logically awesome."})";
  const std::string sig = "sha256=" + hmac_sha256_hex("s3cret", body);
  CHECK(verify_hub_signature("s3cret", body, sig));
  std::string upper = sig;
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  CHECK(verify_hub_signature("s3cret", body, upper));
  CHECK_FALSE(verify_hub_signature("other", body, sig));
  CHECK_FALSE(verify_hub_signature("s3cret", body + " ", sig));
  CHECK_FALSE(verify_hub_signature("s3cret", body, sig.substr(0, sig.size() - 1)));
  CHECK_FALSE(verify_hub_signature("s3cret", body, "sha1=" + sig.substr(7)));
  CHECK_FALSE(verify_hub_signature("s3cret", body, ""));
  std::string bad = sig;
  bad.back() = 'z';
  CHECK_FALSE(verify_hub_signature("s3cret", body, bad));
}
