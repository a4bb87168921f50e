#include "net/serial_poll.hpp"

#include <gtest/gtest.h>

namespace kactor::net {
namespace {

using namespace std::chrono_literals;

const serial_poll_rule rule{300us, 2ms};  // the server's defaults

TEST(SerialPoll, ALoneClientsThreadPollsRightAfterItsWork) {
  EXPECT_TRUE(rule.should_poll(0us, 2ms, true));
  EXPECT_TRUE(rule.should_poll(299us, 1s, true));
}

TEST(SerialPoll, AThreadSleepsOnceTheWindowHasPassed) {
  EXPECT_FALSE(rule.should_poll(300us, 1s, true));
  EXPECT_FALSE(rule.should_poll(5ms, 1s, true));
}

TEST(SerialPoll, NoThreadPollsWhileSeveralConnectionsSendRequests) {
  EXPECT_FALSE(rule.should_poll(0us, 0us, true));
  EXPECT_FALSE(rule.should_poll(0us, 1999us, true));
}

TEST(SerialPoll, OnlyTheLoneClientsThreadPolls) {
  EXPECT_FALSE(rule.should_poll(0us, 1s, false));
}

TEST(SerialPoll, AZeroWindowNeverPolls) {
  const serial_poll_rule never{0us, 2ms};
  EXPECT_FALSE(never.should_poll(0us, 1s, true));
}

}  // namespace
}  // namespace kactor::net
