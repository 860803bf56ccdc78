// api/auth/token: SHA-256 known vectors, new tokens (format, uniqueness),
// roles and the allows() table, token names.
#include <gtest/gtest.h>

#include <set>

#include "api/auth/token.h"

namespace td::api::auth {
namespace {

TEST(AuthToken, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string_view("a\0b", 3)), sha256_hex(std::string("a\0b", 3)));
  EXPECT_NE(sha256_hex(std::string_view("a\0b", 3)), sha256_hex("a"));
}

TEST(AuthToken, NewTokenFormat) {
  const std::string t = new_token();
  ASSERT_EQ(t.size(), 3u + 43u);  // "td_" + 32 bytes as unpadded base64url
  EXPECT_EQ(t.substr(0, 3), "td_");
  for (char c : t.substr(3)) {
    const bool url_safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_';
    EXPECT_TRUE(url_safe) << "character '" << c << "' in " << t;
  }
  EXPECT_EQ(t.find('='), std::string::npos);
  EXPECT_TRUE(is_sha256_hex(sha256_hex(t)));
}

TEST(AuthToken, NewTokensAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(new_token()).second);
  // The last base64 character carries 4 random bits and 2 zero bits: all of
  // the 16 allowed values show up, never another (decoding would not round trip).
  std::set<char> last;
  for (const auto& t : seen) last.insert(t.back());
  EXPECT_EQ(last.size(), 16u);
  for (char c : last) EXPECT_NE(std::string("AEIMQUYcgkosw048").find(c), std::string::npos) << c;
}

TEST(AuthToken, IsSha256Hex) {
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'a')));
  EXPECT_TRUE(is_sha256_hex(sha256_hex("x")));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(65, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'A')));  // the stored form is lower case
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
  EXPECT_FALSE(is_sha256_hex(""));
}

TEST(AuthToken, RoleParseAndToString) {
  for (Role r : {Role::kViewer, Role::kTrader, Role::kAdmin}) {
    auto parsed = parse_role(to_string(r));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_EQ(to_string(Role::kViewer), "viewer");
  EXPECT_EQ(to_string(Role::kTrader), "trader");
  EXPECT_EQ(to_string(Role::kAdmin), "admin");
  EXPECT_FALSE(parse_role("Admin"));
  EXPECT_FALSE(parse_role("root"));
  EXPECT_FALSE(parse_role(""));
  EXPECT_FALSE(parse_role("admin "));
}

TEST(AuthToken, AllowsTable) {
  struct Row {
    Role have, need;
    bool ok;
  };
  const Row rows[] = {
      {Role::kViewer, Role::kViewer, true}, {Role::kViewer, Role::kTrader, false},
      {Role::kViewer, Role::kAdmin, false}, {Role::kTrader, Role::kViewer, true},
      {Role::kTrader, Role::kTrader, true}, {Role::kTrader, Role::kAdmin, false},
      {Role::kAdmin, Role::kViewer, true},  {Role::kAdmin, Role::kTrader, true},
      {Role::kAdmin, Role::kAdmin, true},
  };
  for (const auto& r : rows)
    EXPECT_EQ(allows(r.have, r.need), r.ok) << to_string(r.have) << " -> " << to_string(r.need);
  static_assert(allows(Role::kAdmin, Role::kViewer));
}

TEST(AuthToken, TokenNames) {
  EXPECT_TRUE(is_valid_token_name("ops"));
  EXPECT_TRUE(is_valid_token_name("a"));
  EXPECT_TRUE(is_valid_token_name("ci-bot_2.prod"));
  EXPECT_TRUE(is_valid_token_name(std::string(64, 'x')));
  EXPECT_FALSE(is_valid_token_name(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_token_name(""));
  EXPECT_FALSE(is_valid_token_name("has space"));
  EXPECT_FALSE(is_valid_token_name("quote\""));
  EXPECT_FALSE(is_valid_token_name("brace}"));
  EXPECT_FALSE(is_valid_token_name("caf\xc3\xa9"));
}

}  // namespace
}  // namespace td::api::auth
