// api/snapshot/cow_vector.h: frozen views never change, whatever the writer
// does afterwards (appends, replacements, gaps, the tree growing a level),
// including while other threads read and release them.
#include "api/snapshot/cow_vector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace td::api {
namespace {

using Model = std::vector<std::optional<int>>;

std::shared_ptr<const int> val(int v) {
  return std::make_shared<const int>(v);
}

void expect_view(const CowVector<int>::Frozen& f, const Model& m) {
  ASSERT_EQ(f.size(), m.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    const int* p = f.at(i);
    if (!m[i]) {
      ASSERT_EQ(p, nullptr) << i;
    } else {
      ASSERT_NE(p, nullptr) << i;
      ASSERT_EQ(*p, *m[i]) << i;
      ASSERT_EQ(*f.ptr(i), *m[i]) << i;
    }
  }
  EXPECT_EQ(f.at(m.size()), nullptr);
  EXPECT_EQ(f.ptr(m.size() + 12345), nullptr);
}

TEST(CowVectorTest, EmptyAndOutOfRange) {
  CowVector<int> v;
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(v.at(0), nullptr);
  const auto f = v.freeze();
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.at(0), nullptr);
  CowVector<int>::Frozen none;
  EXPECT_EQ(none.at(3), nullptr);
}

TEST(CowVectorTest, ViewsKeepTheirContentsThroughGrowthAndReplacement) {
  CowVector<int> v;
  Model model;
  std::vector<std::pair<CowVector<int>::Frozen, Model>> views;
  // 40,000 elements: the tree grows from one level to four (32, 1024,
  // 32768, then more), with views taken at every stage.
  for (int i = 0; i < 40000; ++i) {
    v.push_back(val(i));
    model.emplace_back(i);
    if (i % 3 == 0) {  // replace an older element: path copying when shared
      const std::size_t j = static_cast<std::size_t>(i) * 7919 % model.size();
      v.set(j, val(-i));
      model[j] = -i;
    }
    if (i == 0 || i == 31 || i == 32 || i == 1023 || i == 1024 || i == 32767 || i == 32768 ||
        i % 4999 == 0)
      views.emplace_back(v.freeze(), model);
  }
  for (const auto& [f, m] : views) expect_view(f, m);
  expect_view(v.freeze(), model);
  for (std::size_t i = 0; i < model.size(); ++i) ASSERT_EQ(*v.at(i), *model[i]);
}

TEST(CowVectorTest, RandomWritesAgainstAModel) {
  std::mt19937 rng(20261121);
  CowVector<int> v;
  Model model;
  std::vector<std::pair<CowVector<int>::Frozen, Model>> views;
  for (int step = 0; step < 20000; ++step) {
    const unsigned r = rng() % 100;
    if (r < 60 || model.empty()) {
      v.push_back(val(step));
      model.emplace_back(step);
    } else if (r < 90) {
      const std::size_t i = rng() % model.size();
      v.set(i, val(step));
      model[i] = step;
    } else if (r < 92) {  // a gap: its elements stay null
      const std::size_t i = model.size() + 1 + rng() % 100;
      v.set(i, val(step));
      model.resize(i + 1);
      model[i] = step;
    } else if (r < 97) {
      views.emplace_back(v.freeze(), model);
      if (views.size() > 20) views.erase(views.begin() + static_cast<long>(rng() % views.size()));
    } else {
      v.set(0, nullptr);
      model[0].reset();
    }
  }
  for (const auto& [f, m] : views) expect_view(f, m);
  expect_view(v.freeze(), model);
}

// The daemon's pattern: the writer publishes a view after each change and
// readers on other threads take, read and drop views. A view read twice,
// while the writer kept changing the vector in between, reads the same.
TEST(CowVectorTest, ViewsReadOnOtherThreadsWhileTheWriterChangesNodes) {
  CowVector<int> v;
  std::mutex mu;
  CowVector<int>::Frozen published;
  std::atomic<bool> done{false};
  std::atomic<long> checked{0};
  auto reader = [&] {
    while (!done.load()) {
      CowVector<int>::Frozen f;
      {
        std::lock_guard lock(mu);
        f = published;
      }
      std::vector<int> first;
      for (std::size_t i = 0; i < f.size(); ++i) first.push_back(*f.at(i));
      for (std::size_t i = 0; i < f.size(); ++i) ASSERT_EQ(*f.at(i), first[i]);
      checked.fetch_add(1);
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 0; i < 3000; ++i) {
    v.push_back(val(i));
    v.set(static_cast<std::size_t>(i / 2), val(-i));  // changes a node a reader may hold
    std::lock_guard lock(mu);
    published = v.freeze();
  }
  while (checked.load() < 100) std::this_thread::yield();
  done = true;
  r1.join();
  r2.join();
}

}  // namespace
}  // namespace td::api
