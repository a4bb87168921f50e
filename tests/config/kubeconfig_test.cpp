#include "config/kubeconfig.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kactor::config {
namespace {

TEST(Kubeconfig, OneClusterUserAndCurrentContext) {
  YAML::Node doc = YAML::Load(kubeconfig_yaml("lab", "http://127.0.0.1:8080"));
  EXPECT_EQ(doc["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(doc["kind"].as<std::string>(), "Config");
  EXPECT_EQ(doc["current-context"].as<std::string>(), "lab");
  ASSERT_EQ(doc["clusters"].size(), 1u);
  EXPECT_EQ(doc["clusters"][0]["name"].as<std::string>(), "lab");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["server"].as<std::string>(), "http://127.0.0.1:8080");
  ASSERT_EQ(doc["users"].size(), 1u);
  EXPECT_EQ(doc["users"][0]["name"].as<std::string>(), "lab-admin");
  EXPECT_TRUE(doc["users"][0]["user"].IsMap());
  ASSERT_EQ(doc["contexts"].size(), 1u);
  const YAML::Node context = doc["contexts"][0]["context"];
  EXPECT_EQ(context["cluster"].as<std::string>(), "lab");
  EXPECT_EQ(context["user"].as<std::string>(), "lab-admin");
  EXPECT_EQ(context["namespace"].as<std::string>(), "default");
}

TEST(WritePrivateFile, ReplacesTheFileReadableByOwnerOnly) {
  char dir_template[] = "/tmp/kubeconfig-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string path = std::string(dir_template) + "/kubeconfig";
  write_private_file(path, "first\n");
  write_private_file(path, "second\n");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "second\n");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::remove(path.c_str());
  rmdir(dir_template);
}

TEST(WritePrivateFile, MissingDirectoryIsAnErrorNamingThePath) {
  try {
    write_private_file("/nonexistent-dir-kactor/kubeconfig", "x");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-kactor/kubeconfig"), std::string::npos);
  }
}

}  // namespace
}  // namespace kactor::config
