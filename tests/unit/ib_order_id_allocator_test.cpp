// brokers/ib/client/order_id_allocator.h: ids only grow, across sessions and
// restarts, whatever nextValidId says (error 103 must never happen).
#include <gtest/gtest.h>

#include "brokers/ib/client/order_id_allocator.h"

namespace td::ib {
namespace {

TEST(IbOrderIdAllocatorTest, NotReadyUntilNextValidId) {
  OrderIdAllocator ids(0);
  EXPECT_FALSE(ids.ready());
  ids.on_next_valid_id(1);
  EXPECT_TRUE(ids.ready());
  EXPECT_EQ(ids.allocate(), 1);
  EXPECT_EQ(ids.allocate(), 2);
  EXPECT_EQ(ids.high_water(), 2);
}

TEST(IbOrderIdAllocatorTest, ARolledBackNextValidIdAfterAGatewayRestartIsIgnored) {
  OrderIdAllocator ids(0);
  ids.on_next_valid_id(100);
  EXPECT_EQ(ids.allocate(), 100);
  EXPECT_EQ(ids.allocate(), 101);
  ids.on_disconnect();
  EXPECT_FALSE(ids.ready());
  ids.on_next_valid_id(90);  // the gateway came back with an older id
  EXPECT_EQ(ids.allocate(), 102);
}

TEST(IbOrderIdAllocatorTest, ThePersistedHighWaterSurvivesADaemonRestart) {
  OrderIdAllocator before(0);
  before.on_next_valid_id(500);
  before.allocate();
  before.allocate();
  OrderIdAllocator after(before.high_water());  // what the daemon persisted
  after.on_next_valid_id(1);
  EXPECT_EQ(after.allocate(), 502);
}

TEST(IbOrderIdAllocatorTest, AHigherNextValidIdAndIdsSeenAtTheBrokerRaiseTheFloor) {
  OrderIdAllocator ids(10);
  ids.on_next_valid_id(50);
  EXPECT_EQ(ids.allocate(), 50);
  ids.observe(70);  // an open order of this client id we did not know
  EXPECT_EQ(ids.allocate(), 71);
  ids.on_next_valid_id(200);
  EXPECT_EQ(ids.allocate(), 200);
}

}  // namespace
}  // namespace td::ib
