// api/auth/token_store: "Bearer <token>" parsing, matching against hashes,
// several tokens with different roles, configuration errors.
#include <gtest/gtest.h>

#include "api/auth/token_store.h"

namespace td::api::auth {
namespace {

const std::string kViewerTok = "td_viewer-token";
const std::string kTraderTok = "td_trader-token";
const std::string kAdminTok = "td_admin-token";

TokenStore make_store() {
  auto s = TokenStore::create({{"dash", "viewer", sha256_hex(kViewerTok)},
                               {"bot", "trader", sha256_hex(kTraderTok)},
                               {"ops", "admin", sha256_hex(kAdminTok)}});
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

TEST(AuthTokenStore, RightTokenGivesPrincipal) {
  const auto store = make_store();
  EXPECT_EQ(store.size(), 3u);
  auto p = store.authenticate("Bearer " + kAdminTok);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Principal{"ops", Role::kAdmin}));
}

TEST(AuthTokenStore, SeveralTokensWithDifferentRoles) {
  const auto store = make_store();
  auto v = store.authenticate("Bearer " + kViewerTok);
  auto t = store.authenticate("Bearer " + kTraderTok);
  auto a = store.authenticate("Bearer " + kAdminTok);
  ASSERT_TRUE(v && t && a);
  EXPECT_EQ(*v, (Principal{"dash", Role::kViewer}));
  EXPECT_EQ(*t, (Principal{"bot", Role::kTrader}));
  EXPECT_EQ(*a, (Principal{"ops", Role::kAdmin}));
}

TEST(AuthTokenStore, WrongTokenRefused) {
  const auto store = make_store();
  EXPECT_FALSE(store.authenticate("Bearer td_nope"));
  EXPECT_FALSE(store.authenticate("Bearer " + kAdminTok + "x"));
  EXPECT_FALSE(store.authenticate("Bearer " + kAdminTok.substr(0, kAdminTok.size() - 1)));
  // The hash itself is not a token.
  EXPECT_FALSE(store.authenticate("Bearer " + sha256_hex(kAdminTok)));
}

TEST(AuthTokenStore, SchemeIsCaseInsensitive) {
  const auto store = make_store();
  EXPECT_TRUE(store.authenticate("bearer " + kTraderTok));
  EXPECT_TRUE(store.authenticate("BEARER " + kTraderTok));
  EXPECT_TRUE(store.authenticate("BeArEr " + kTraderTok));
}

TEST(AuthTokenStore, MissingOrOtherScheme) {
  const auto store = make_store();
  EXPECT_FALSE(store.authenticate(kAdminTok));
  EXPECT_FALSE(store.authenticate("Basic " + kAdminTok));
  EXPECT_FALSE(store.authenticate("Token " + kAdminTok));
  EXPECT_FALSE(store.authenticate("Bearer" + kAdminTok));
  EXPECT_FALSE(store.authenticate("Bearers " + kAdminTok));
}

TEST(AuthTokenStore, ExtraSpacesAndWhitespaceRefused) {
  const auto store = make_store();
  EXPECT_FALSE(store.authenticate("Bearer  " + kAdminTok));
  EXPECT_FALSE(store.authenticate(" Bearer " + kAdminTok));
  EXPECT_FALSE(store.authenticate("Bearer " + kAdminTok + " "));
  EXPECT_FALSE(store.authenticate("Bearer\t" + kAdminTok));
  EXPECT_FALSE(store.authenticate("Bearer " + kAdminTok + "\r\n"));
  EXPECT_FALSE(store.authenticate("Bearer " + kAdminTok + " extra"));
  EXPECT_FALSE(store.authenticate("Bearer " + kAdminTok + std::string(1, '\0')));
}

TEST(AuthTokenStore, EmptyRefused) {
  const auto store = make_store();
  EXPECT_FALSE(store.authenticate(""));
  EXPECT_FALSE(store.authenticate("Bearer"));
  EXPECT_FALSE(store.authenticate("Bearer "));
  // The hash of the empty string is configured: still no way in without a token.
  auto with_empty = TokenStore::create({{"e", "admin", sha256_hex("")}});
  ASSERT_TRUE(with_empty);
  EXPECT_FALSE(with_empty->authenticate("Bearer "));
}

TEST(AuthTokenStore, NoTokensConfiguredRefusesAll) {
  auto store = TokenStore::create({});
  ASSERT_TRUE(store);
  EXPECT_EQ(store->size(), 0u);
  EXPECT_FALSE(store->authenticate("Bearer " + kAdminTok));
}

TEST(AuthTokenStore, UpperCaseHexAccepted) {
  std::string hex = sha256_hex(kAdminTok);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto store = TokenStore::create({{"ops", "admin", hex}});
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->authenticate("Bearer " + kAdminTok));
}

TEST(AuthTokenStore, ConfigurationErrors) {
  auto bad_role = TokenStore::create({{"ops", "root", sha256_hex("x")}});
  ASSERT_FALSE(bad_role);
  EXPECT_NE(bad_role.error().message.find("ops"), std::string::npos);
  EXPECT_NE(bad_role.error().message.find("role"), std::string::npos);

  EXPECT_FALSE(TokenStore::create({{"ops", "admin", "abc"}}));
  EXPECT_FALSE(TokenStore::create({{"ops", "admin", std::string(64, 'z')}}));
  EXPECT_FALSE(TokenStore::create({{"ops", "admin", ""}}));

  auto dup =
      TokenStore::create({{"a", "viewer", sha256_hex("x")}, {"b", "admin", sha256_hex("x")}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(dup.error().message.find("'a'"), std::string::npos);
  // No error message ever carries a hash or a token.
  EXPECT_EQ(dup.error().message.find(sha256_hex("x")), std::string::npos);
}

}  // namespace
}  // namespace td::api::auth
