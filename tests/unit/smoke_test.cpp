#include <gtest/gtest.h>

#include "core/decimal.h"

TEST(Smoke, DecimalLiteral) { EXPECT_EQ(td::operator""_d("1.5", 3).to_string(), "1.5"); }
