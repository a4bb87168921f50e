// /healthz, /livez and /readyz against a real LMDB store whose log sync can be made to fail.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <string>

#include "net/api_server.hpp"
#include "store/backend.hpp"
#include "store/watch_hub.hpp"
#include "store/write_client.hpp"
#include "tests/store/store_testing.hpp"

namespace kactor::net {
namespace {

class captured_response final : public responder {
 public:
  void respond(response r) override { result = std::move(r); }
  std::shared_ptr<stream> start_stream(int, std::string) override { return nullptr; }
  response result;
};

// Health checks never write.
class no_writes final : public store::write_client {
 public:
  void submit(store::write_request, std::function<void(store::write_result)>) override {
    ADD_FAILURE() << "a health check wrote to the store";
  }
};

class HealthTest : public ::testing::Test {
 protected:
  HealthTest()
      : backend_(store::open_lmdb({.path = dir_.path() + "/db",
                                   .map_size = size_t{64} << 20,
                                   .checkpoint_ms = 3600 * 1000,
                                   .log_sync =
                                       [this](int fd) {
                                         if (!fail_sync_) return ::fdatasync(fd);
                                         errno = EIO;
                                         return -1;
                                       }})),
        hub_(100, backend_->revision()),
        server_(*backend_, writer_, hub_, {}) {
    server_.set_ready(true);
  }

  response get(const std::string& path) {
    request req;
    req.method = "GET";
    req.target = path;
    req.path = path;
    auto reply = std::make_shared<captured_response>();
    server_.handle(std::move(req), reply);
    return reply->result;
  }

  // Commits one write whose log sync fails: the store can serve nothing more until a restart.
  void break_store() {
    fail_sync_ = true;
    backend_->begin_write();
    backend_->apply(store::store_testing::put("core/configmaps/default/a", "{}"));
    std::string error;
    ASSERT_FALSE(backend_->commit(backend_->revision() + 1, error));
    ASSERT_FALSE(backend_->failure().empty());
  }

  store::store_testing::temp_dir dir_;
  std::atomic<bool> fail_sync_{false};
  std::unique_ptr<store::backend> backend_;
  store::watch_hub hub_;
  no_writes writer_;
  api_server server_;
};

TEST_F(HealthTest, AHealthyReadyServerAnswersOk) {
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    response r = get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "ok") << path;
  }
}

TEST_F(HealthTest, AServerStillStartingIsLiveButNotReady) {
  server_.set_ready(false);
  EXPECT_EQ(get("/livez").status, 200);
  response r = get("/readyz");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "[-]store not ready\nreadyz check failed");
}

TEST_F(HealthTest, AStoreThatOnlyARestartCanRecoverFailsEveryCheck) {
  break_store();
  for (const char* check : {"healthz", "livez", "readyz"}) {
    response r = get(std::string("/") + check);
    EXPECT_EQ(r.status, 500) << check;
    EXPECT_EQ(r.body, std::string("[-]store failed: reason withheld\n") + check + " check failed");
  }
}

}  // namespace
}  // namespace kactor::net
