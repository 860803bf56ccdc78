// api/auth/bootstrap: the first-start admin token: the file (mode 0600, only
// the hash), loading it on the next start, nothing done when tokens are
// configured, a malformed file is an error.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/auth/bootstrap.h"
#include "api/auth/token_store.h"

namespace td::api::auth {
namespace {

namespace fs = std::filesystem;

class AuthBootstrap : public ::testing::Test {
 protected:
  AuthBootstrap() {
    dir = fs::temp_directory_path() /
          ("tradingd-auth-bootstrap-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "api-admin-token.sha256").string();
  }
  ~AuthBootstrap() override { fs::remove_all(dir); }
  std::string read() const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir;
  std::string path;
};

TEST_F(AuthBootstrap, FirstStartCreatesHashFileAndReturnsToken) {
  std::vector<ApiTokenLike> tokens;
  auto r = ensure_admin_token(dir.string(), tokens);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_value());
  const std::string token = **r;
  EXPECT_EQ(token.substr(0, 3), "td_");

  const std::string text = read();
  EXPECT_EQ(text.size(), 64u);
  EXPECT_TRUE(is_sha256_hex(text));
  EXPECT_EQ(text, sha256_hex(token));
  EXPECT_EQ(text.find(token), std::string::npos);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].name, "admin");
  EXPECT_EQ(tokens[0].role, "admin");
  EXPECT_EQ(tokens[0].sha256, text);
  auto store = TokenStore::create(tokens);
  ASSERT_TRUE(store);
  auto p = store->authenticate("Bearer " + token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, Role::kAdmin);
}

TEST_F(AuthBootstrap, SecondStartLoadsHashAndReturnsNoToken) {
  std::vector<ApiTokenLike> first;
  auto r1 = ensure_admin_token(dir.string(), first);
  ASSERT_TRUE(r1 && r1->has_value());
  const std::string token = **r1;

  std::vector<ApiTokenLike> second;
  auto r2 = ensure_admin_token(dir.string(), second);
  ASSERT_TRUE(r2) << r2.error().message;
  EXPECT_FALSE(r2->has_value());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].sha256, sha256_hex(token));
  EXPECT_EQ(second[0].role, "admin");
  EXPECT_EQ(read(), sha256_hex(token));  // unchanged
  auto store = TokenStore::create(second);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->authenticate("Bearer " + token));
}

TEST_F(AuthBootstrap, ConfiguredTokensMeanNothingIsCreated) {
  std::vector<ApiTokenLike> tokens{{"ops", "trader", sha256_hex("td_x")}};
  auto r = ensure_admin_token(dir.string(), tokens);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_FALSE(fs::exists(path));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].name, "ops");
}

TEST_F(AuthBootstrap, ConfiguredTokensIgnoreAnExistingFile) {
  std::ofstream(path) << sha256_hex("td_old");
  std::vector<ApiTokenLike> tokens{{"ops", "admin", sha256_hex("td_x")}};
  auto r = ensure_admin_token(dir.string(), tokens);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(tokens.size(), 1u);
}

TEST_F(AuthBootstrap, TrailingNewlineTolerated) {
  std::ofstream(path) << sha256_hex("td_hand") << "\n";
  std::vector<ApiTokenLike> tokens;
  auto r = ensure_admin_token(dir.string(), tokens);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].sha256, sha256_hex("td_hand"));
}

TEST_F(AuthBootstrap, MalformedFileIsAnError) {
  std::ofstream(path) << "not a hash\n";
  std::vector<ApiTokenLike> tokens;
  auto r = ensure_admin_token(dir.string(), tokens);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(path), std::string::npos);
  EXPECT_TRUE(tokens.empty());
  EXPECT_EQ(read(), "not a hash\n");  // never replaced behind the operator's back
}

TEST_F(AuthBootstrap, LeftoverTmpFileReplaced) {
  std::ofstream(path + ".tmp") << "junk";
  ::chmod((path + ".tmp").c_str(), 0644);
  std::vector<ApiTokenLike> tokens;
  auto r = ensure_admin_token(dir.string(), tokens);
  ASSERT_TRUE(r && r->has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(read(), sha256_hex(**r));
}

TEST_F(AuthBootstrap, MissingDataDirIsAnError) {
  std::vector<ApiTokenLike> tokens;
  auto r = ensure_admin_token((dir / "nope").string(), tokens);
  ASSERT_FALSE(r);
  EXPECT_TRUE(tokens.empty());
}

}  // namespace
}  // namespace td::api::auth
