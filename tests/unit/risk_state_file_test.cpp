// The risk state file: round trip (special characters, exact times), atomic
// replacement, a missing file is the default state, a corrupt one an error
// that names the line.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "risk/risk_manager.h"
#include "risk_test_support.h"

namespace td::risk {
namespace {

namespace fs = std::filesystem;
using testing::kT0;

class StateFile : public ::testing::Test {
 protected:
  StateFile() {
    dir = fs::temp_directory_path() /
          ("tradingd-risk-state-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "risk-state").string();
  }
  ~StateFile() override { fs::remove_all(dir); }

  void write(const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
  std::string read() const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static PersistedRiskState sample() {
    PersistedRiskState s;
    s.trading = {TradingState::kHalted, "line one\nline \"two\"\t\\ end\r", "api:ops",
                 kT0 + std::chrono::nanoseconds(123'456'789)};
    s.kill_switch.engaged = true;
    s.kill_switch.reason = s.trading.reason;
    s.kill_switch.engaged_by = "api:ops";
    s.kill_switch.engaged_at = s.trading.since;
    s.kill_switch.rearmed_at = kT0 - std::chrono::hours(24);
    s.kill_switch.rearmed_by = std::string("bell\x07 del\x7f utf8 \xc3\xa9 nul") + '\0' + "!";
    return s;
  }
  static void expect_same(const PersistedRiskState& a, const PersistedRiskState& b) {
    EXPECT_EQ(a.trading.state, b.trading.state);
    EXPECT_EQ(a.trading.reason, b.trading.reason);
    EXPECT_EQ(a.trading.by, b.trading.by);
    EXPECT_EQ(a.trading.since, b.trading.since);
    EXPECT_EQ(a.kill_switch.engaged, b.kill_switch.engaged);
    EXPECT_EQ(a.kill_switch.reason, b.kill_switch.reason);
    EXPECT_EQ(a.kill_switch.engaged_by, b.kill_switch.engaged_by);
    EXPECT_EQ(a.kill_switch.engaged_at, b.kill_switch.engaged_at);
    EXPECT_EQ(a.kill_switch.rearmed_at, b.kill_switch.rearmed_at);
    EXPECT_EQ(a.kill_switch.rearmed_by, b.kill_switch.rearmed_by);
  }
  std::string error_of(const std::string& text) {
    write(text);
    auto r = load_state_file(path);
    EXPECT_FALSE(r) << text;
    if (r) return "";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    return r.error().message;
  }
  std::string valid_text() {
    EXPECT_TRUE(save_state_file(path, sample()));
    return read();
  }

  fs::path dir;
  std::string path;
};

TEST_F(StateFile, RoundTripWithSpecialCharactersAndExactTimes) {
  const PersistedRiskState s = sample();
  ASSERT_TRUE(save_state_file(path, s));
  auto loaded = load_state_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  expect_same(*loaded, s);
  // One line per field: escapes keep newlines out of values.
  const std::string text = read();
  EXPECT_EQ(text.rfind("tradingd-risk-state 1\n", 0), 0u) << text;
  EXPECT_NE(text.find("trading.reason \"line one\\nline \\\"two\\\"\\t\\\\ end\\r\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("trading.since 2026-03-02T15:00:00.123456789Z\n"), std::string::npos);
  EXPECT_NE(text.find("\\x07"), std::string::npos);
  EXPECT_NE(text.find("\\x00"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 4), "end\n");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 12);
}

TEST_F(StateFile, DefaultStateRoundTrips) {
  ASSERT_TRUE(save_state_file(path, PersistedRiskState{}));
  auto loaded = load_state_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  expect_same(*loaded, PersistedRiskState{});
  EXPECT_NE(read().find("trading.since -\n"), std::string::npos);
}

TEST_F(StateFile, MissingFileIsTheDefaultState) {
  auto loaded = load_state_file((dir / "nothing-here").string());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->trading.state, TradingState::kActive);
  EXPECT_FALSE(loaded->kill_switch.engaged);
}

TEST_F(StateFile, ReplacesAtomicallyAndLeavesNoTemporaryFile) {
  ASSERT_TRUE(save_state_file(path, sample()));
  PersistedRiskState next;
  next.trading.reason = "second";
  // A temporary file left by a crash does not matter.
  std::ofstream(path + ".tmp") << "garbage from a crash";
  ASSERT_TRUE(save_state_file(path, next));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  auto loaded = load_state_file(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->trading.reason, "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StateFile, AFailedSaveLeavesTheOldFileIntact) {
  ASSERT_TRUE(save_state_file(path, sample()));
  const std::string before = read();
  fs::create_directory(path + ".tmp");  // the temporary file cannot be created
  auto st = save_state_file(path, PersistedRiskState{});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find(path + ".tmp"), std::string::npos) << st.error().message;
  EXPECT_EQ(read(), before);
  EXPECT_FALSE(save_state_file((dir / "no" / "such" / "dir").string(), sample()));
}

TEST_F(StateFile, CorruptFilesAreErrorsThatNameTheLine) {
  const std::string good = valid_text();
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  EXPECT_NE(error_of("").find(":1: empty file"), std::string::npos);
  EXPECT_NE(error_of("hello\n").find(":1: not a tradingd risk state file"), std::string::npos);
  EXPECT_NE(error_of(replace("tradingd-risk-state 1", "tradingd-risk-state 2"))
                .find(":1: unknown version '2' (this build reads version 1)"),
            std::string::npos);
  EXPECT_NE(error_of(replace("trading.state halted", "trading.state paused"))
                .find(":2: trading.state: unknown state 'paused'"),
            std::string::npos);
  EXPECT_NE(error_of(replace("trading.by \"api:ops\"", "trading.by api:ops"))
                .find(":4: trading.by: not a quoted string"),
            std::string::npos);
  EXPECT_NE(error_of(replace("\\n", "\\q")).find(":3: trading.reason: not a quoted string"),
            std::string::npos);
  EXPECT_NE(error_of(replace("trading.since 2026", "trading.since x2026"))
                .find(":5: trading.since: not an RFC 3339 time"),
            std::string::npos);
  EXPECT_NE(error_of(replace("kill_switch.engaged true", "kill_switch.engaged yes"))
                .find(":6: kill_switch.engaged: not true or false: yes"),
            std::string::npos);
  EXPECT_NE(error_of(replace("kill_switch.engaged true", "kill_switch.engaged_by \"x\""))
                .find(":8: duplicate key 'kill_switch.engaged_by'"),
            std::string::npos);
  EXPECT_NE(error_of(replace("kill_switch.engaged true", "kill_switch.colour \"red\""))
                .find(":6: unknown key 'kill_switch.colour'"),
            std::string::npos);
  EXPECT_NE(error_of(replace("kill_switch.engaged true\n", ""))
                .find(":11: missing key 'kill_switch.engaged'"),
            std::string::npos);
  EXPECT_NE(error_of(replace("kill_switch.engaged true", "kill_switch.engaged"))
                .find(":6: expected 'key value'"),
            std::string::npos);
  // Cut short: no end line, or the last line unterminated.
  EXPECT_NE(error_of(good.substr(0, good.size() - 4)).find(":11: no 'end' line"),
            std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.size() - 1)).find(":12: last line not terminated"),
            std::string::npos);
  EXPECT_NE(error_of(good + "trading.state active\n").find(":13: text after the end line"),
            std::string::npos);
  // The message names the file too.
  EXPECT_NE(error_of("hello\n").find(path), std::string::npos);
}

TEST_F(StateFile, UnreadableFileIsAnError) {
  fs::create_directory(path);  // a directory where the file should be
  auto r = load_state_file(path);
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace td::risk
