#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "runtime/config/node_config.hpp"
#include "runtime/config/options.hpp"

namespace {

using namespace sb;

// A fresh directory under /tmp for the files of one test, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sb_config_test_XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  /// Writes `text` to `name` inside the directory and returns the file's path.
  std::string write(const std::string& name, const std::string& text) const {
    auto file = path_ + "/" + name;
    std::ofstream{file} << text;
    return file;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Sources that never look at the real process environment, so the tests cannot depend on it.
config_sources from(std::string file, std::vector<std::string> sets = {},
                    std::vector<std::string> environment = {}) {
  config_sources sources;
  sources.file = std::move(file);
  sources.sets = std::move(sets);
  sources.environment = std::move(environment);
  return sources;
}

// Every option as "key: value" lines, to compare whole configs.
std::string dump(const node_config& cfg) {
  std::string out;
  for (const auto& opt : detail::option_table()) {
    out += std::string{opt.key} + ": " + opt.format(cfg) + "\n";
  }
  return out;
}

std::string load_error(const config_sources& sources, errc expected_code) {
  auto loaded = load_node_config(sources);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.err().code == expected_code);
  return loaded.err().message;
}

}  // namespace

// -- files ----------------------------------------------------------------------------------------

TEST_CASE("no file and no overrides give the defaults") {
  auto loaded = load_node_config(from(""));
  REQUIRE(loaded.ok());
  CHECK(dump(*loaded) == dump(node_config{}));
}

TEST_CASE("an empty file or one with only comments gives the defaults") {
  temp_dir dir;
  for (const auto* text : {"", "# nothing set\n", "node:\n  # id: x\n"}) {
    auto loaded = load_node_config(from(dir.write("node.yaml", text)));
    REQUIRE(loaded.ok());
    CHECK(dump(*loaded) == dump(node_config{}));
  }
}

TEST_CASE("a file sets the options it names and keeps the defaults of the others") {
  temp_dir dir;
  auto file = dir.write("node.yaml",
                        "node:\n  id: edge-2\nstore:\n  kind: redis\n  redis:\n"
                        "    port: 6380\n    timeout: 1m30s\n  key_prefix: 'x:'\n");
  auto loaded = load_node_config(from(file));
  REQUIRE(loaded.ok());
  CHECK(loaded->node_id == "edge-2");
  CHECK(loaded->store_kind == "redis");
  CHECK(loaded->store_redis_port == 6380);
  CHECK(loaded->store_redis_timeout == std::chrono::seconds(90));
  CHECK(loaded->store_key_prefix == "x:");
  CHECK(loaded->store_redis_host == node_config{}.store_redis_host);
}

TEST_CASE("a missing file is an io error naming the file") {
  temp_dir dir;
  auto file = dir.path() + "/absent.yaml";
  CHECK(load_error(from(file), errc::config_io) ==
        file + ": cannot open: No such file or directory");
  CHECK(load_error(from(dir.path()), errc::config_io) ==
        dir.path() + ": cannot read: is a directory");
}

TEST_CASE("a file that is not valid YAML is a syntax error at its line and column") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "node:\n  id: a: b\n");
  CHECK(load_error(from(file), errc::config_syntax) == file + ":2:8: illegal map value");
}

TEST_CASE("an unknown key is reported at its position with the closest known key") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "node:\n  id: n1\nstore:\n  redis:\n    hots: example.org\n");
  CHECK(load_error(from(file), errc::config_unknown_key) ==
        file + ":5:5: store.redis.hots: unknown key (did you mean store.redis.host?)");
}

TEST_CASE("an unknown section is reported once, at its key, without a far-fetched suggestion") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "metrics:\n  port: 9090\n  path: /metrics\n");
  CHECK(load_error(from(file), errc::config_unknown_key) == file + ":1:1: metrics: unknown key");
}

TEST_CASE("a value out of range is a bad value at the value's position") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "store:\n  redis:\n    port: 70000\n");
  CHECK(load_error(from(file), errc::config_bad_value) ==
        file + ":3:11: store.redis.port: expected an integer from 1 to 65535, found 70000");
}

TEST_CASE("an integer option rejects fractions, words, booleans and nothing") {
  temp_dir dir;
  for (const auto* text : {"1.5", "abc", "true", "0x10", "'12 '"}) {
    auto file = dir.write("node.yaml", std::string{"timers:\n  batch: "} + text + "\n");
    auto message = load_error(from(file), errc::config_bad_value);
    CHECK(message.rfind(
              file + ":2:10: timers.batch: expected an integer from 1 to 100000, found \"", 0) ==
          0);
  }
  auto file = dir.write("node.yaml", "timers:\n  batch:\n");
  CHECK(load_error(from(file), errc::config_bad_value) ==
        file + ":2:3: timers.batch: expected an integer from 1 to 100000, found nothing");
}

TEST_CASE("an enum option rejects values it does not list") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "log:\n  level: verbose\n");
  CHECK(load_error(from(file), errc::config_bad_value) ==
        file + ":2:10: log.level: expected one of trace|debug|info|warn|error, found \"verbose\"");
}

TEST_CASE("a map or a sequence where a scalar belongs is a bad value") {
  temp_dir dir;
  auto file =
      dir.write("node.yaml", "store:\n  redis:\n    host:\n      name: x\n  kind: [memory]\n");
  CHECK(load_error(from(file), errc::config_bad_value) ==
        file +
            ":4:7: store.redis.host: expected a host name or address (IPv6 in brackets), found a "
            "map\n" +
            file + ":5:9: store.kind: expected one of memory|redis, found a sequence");
}

TEST_CASE("a scalar where a section belongs is a bad value, and a top level that is no map too") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "store: redis\n");
  CHECK(load_error(from(file), errc::config_bad_value) ==
        file + ":1:8: store: expected a map of store.* options, found \"redis\"");
  file = dir.write("node.yaml", "- node\n- store\n");
  CHECK(load_error(from(file), errc::config_bad_value) ==
        file + ":1:1: expected a map of sections such as node: and store:, found a sequence");
}

TEST_CASE("a key set twice in one file is a syntax error pointing at both places") {
  temp_dir dir;
  auto file = dir.write("node.yaml", "timers:\n  batch: 10\n  batch: 20\n");
  CHECK(load_error(from(file), errc::config_syntax) ==
        file + ":3:3: timers.batch: set twice; first at line 2, column 3");
}

TEST_CASE("every problem of every source is reported together, one a line") {
  temp_dir dir;
  auto file = dir.write("node.yaml",
                        "log:\n  level: verbose\n  colour: true\nscheduler:\n"
                        "  threads: 1.5\ntimers: 5\n");
  auto message = load_error(from(file, {"gateway.threads=0"}, {"SWITCHBOARD_LOG__FROMAT=json"}),
                            errc::config_bad_value);
  CHECK(message ==
        file +
            ":2:10: log.level: expected one of trace|debug|info|warn|error, found \"verbose\"\n" +
            file + ":3:3: log.colour: unknown key\n" + file +
            ":5:12: scheduler.threads: expected an integer from 0 to 1024, found \"1.5\"\n" + file +
            ":6:9: timers: expected a map of timers.* options, found \"5\"\n" +
            "environment SWITCHBOARD_LOG__FROMAT: unknown variable (did you mean "
            "SWITCHBOARD_LOG__FORMAT?)\n" +
            "--set gateway.threads=0: expected an integer from 1 to 1024, found 0");
}

// -- environment and --set ------------------------------------------------------------------------

TEST_CASE("the environment overrides the file and --set overrides the environment") {
  temp_dir dir;
  auto file =
      dir.write("node.yaml", "store:\n  redis:\n    host: file-host\n    port: 1111\n    db: 1\n");
  auto loaded = load_node_config(from(file, {"store.redis.port=3333"},
                                      {"PATH=/bin", "SWITCHBOARD_STORE__REDIS__HOST=env-host",
                                       "SWITCHBOARD_STORE__REDIS__PORT=2222"}));
  REQUIRE(loaded.ok());
  CHECK(loaded->store_redis_host == "env-host");
  CHECK(loaded->store_redis_port == 3333);
  CHECK(loaded->store_redis_db == 1);
}

TEST_CASE("a later --set of the same key wins") {
  auto loaded = load_node_config(from("", {"timers.batch=5", "timers.batch=6"}));
  REQUIRE(loaded.ok());
  CHECK(loaded->timers_batch == 6);
}

TEST_CASE("an unknown SWITCHBOARD_ variable is an error naming it") {
  auto sources = from("", {}, {"SWITCHBOARD_STORE__REDIS__HOTS=x", "SWITCHBOARD_NOPE=1"});
  CHECK(load_error(sources, errc::config_unknown_key) ==
        "environment SWITCHBOARD_NOPE: unknown variable\n"
        "environment SWITCHBOARD_STORE__REDIS__HOTS: unknown variable "
        "(did you mean SWITCHBOARD_STORE__REDIS__HOST?)");
}

TEST_CASE("an environment value is taken literally and checked like a file value") {
  auto loaded =
      load_node_config(from("", {},
                            {"SWITCHBOARD_GATEWAY__LISTEN=[::1]:0",
                             "SWITCHBOARD_STORE__KEY_PREFIX=a: b", "SWITCHBOARD_ADMIN__TOKEN="}));
  REQUIRE(loaded.ok());
  CHECK(loaded->gateway_listen == "[::1]:0");
  CHECK(loaded->store_key_prefix == "a: b");
  CHECK(loaded->admin_token.empty());
  CHECK(load_error(from("", {}, {"SWITCHBOARD_STORE__REDIS__PORT=abc"}), errc::config_bad_value) ==
        "environment SWITCHBOARD_STORE__REDIS__PORT: expected an integer from 1 to 65535, found "
        "\"abc\"");
}

TEST_CASE("the environment is ignored when read_environment is off") {
  auto sources = from("", {}, {"SWITCHBOARD_NOPE=1", "SWITCHBOARD_NODE__ID=env"});
  sources.read_environment = false;
  auto loaded = load_node_config(sources);
  REQUIRE(loaded.ok());
  CHECK(loaded->node_id == "node-1");
}

TEST_CASE("--set reads its value as a YAML scalar, so quoting works") {
  auto loaded =
      load_node_config(from("", {"store.key_prefix=\"x:\"", "gateway.listen='[::1]:80'",
                                 "node.id=edge_1", "admin.token=", "bus.request_timeout=250ms"}));
  REQUIRE(loaded.ok());
  CHECK(loaded->store_key_prefix == "x:");
  CHECK(loaded->gateway_listen == "[::1]:80");
  CHECK(loaded->node_id == "edge_1");
  CHECK(loaded->admin_token.empty());
  CHECK(loaded->bus_request_timeout == std::chrono::milliseconds(250));
  CHECK(load_error(from("", {"store.key_prefix=x:"}), errc::config_bad_value) ==
        "--set store.key_prefix=x:: expected a string, found a map (quote the value)");
}

TEST_CASE("--set with an unknown key or without '=' is an error naming the argument") {
  CHECK(load_error(from("", {"store.redis.prot=1"}), errc::config_unknown_key) ==
        "--set store.redis.prot=1: unknown key store.redis.prot (did you mean store.redis.port?)");
  CHECK(load_error(from("", {"store.redis"}), errc::config_bad_value) ==
        "--set store.redis: expected KEY=VALUE");
  CHECK(load_error(from("", {"store.redis=x"}), errc::config_unknown_key) ==
        "--set store.redis=x: store.redis is a section, not a key; set one of its keys, "
        "e.g. store.redis.host");
}

TEST_CASE("gateway.listen accepts host:port only") {
  for (std::string good : {"0.0.0.0:0", "localhost:65535", "'[::1]:8080'"}) {
    CAPTURE(good);
    CHECK(load_node_config(from("", {"gateway.listen=" + good})).ok());
  }
  for (std::string bad :
       {"localhost", ":80", "host:65536", "host:-1", "'::1:80'", "host:8a", "'host:'"}) {
    CAPTURE(bad);
    auto message = load_error(from("", {"gateway.listen=" + bad}), errc::config_bad_value);
    CHECK(message.find(": expected host:port with a port from 0 to 65535, found \"") !=
          std::string::npos);
  }
}

TEST_CASE("a duration option needs a unit and says so") {
  auto message = load_error(from("", {"actors.idle_passivate=30"}), errc::config_bad_value);
  CHECK(message.rfind(
            "--set actors.idle_passivate=30: expected a duration of at least 1ms, found \"30\" "
            "(a bare number has no unit",
            0) == 0);
  CHECK(load_error(from("", {"actors.idle_passivate=0s"}), errc::config_bad_value) ==
        "--set actors.idle_passivate=0s: expected a duration of at least 1ms, found 0s");
}

// -- the example file -----------------------------------------------------------------------------

namespace {

// Returns the node at a dotted key, if the example has it.
std::optional<YAML::Node> lookup(const YAML::Node& node, std::string_view key) {
  auto dot = key.find('.');
  const YAML::Node child = node[std::string{key.substr(0, dot)}];
  if (!child.IsDefined()) {
    return std::nullopt;
  }
  if (dot == std::string_view::npos) {
    return child;
  }
  if (!child.IsMap()) {
    return std::nullopt;
  }
  return lookup(child, key.substr(dot + 1));
}

void collect_leaves(const YAML::Node& map, const std::string& prefix,
                    std::vector<std::string>& out) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto path = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
    if (it->second.IsMap()) {
      collect_leaves(it->second, path, out);
    } else {
      out.push_back(path);
    }
  }
}

}  // namespace

TEST_CASE("the example file lists every option with its default and nothing else") {
  const std::string file = SB_SOURCE_DIR "/config/node.example.yaml";
  std::ifstream in{file};
  REQUIRE(in.good());
  const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  const auto root = YAML::Load(text);

  for (const auto& opt : node_options()) {
    CAPTURE(opt.key);
    auto node = lookup(root, opt.key);
    REQUIRE(node.has_value());
    REQUIRE(node->IsScalar());
    CHECK(node->Scalar() == YAML::Load(opt.default_value).Scalar());
    // Written exactly as node_options() writes the default, so the file reads the same.
    auto leaf = opt.key.substr(opt.key.rfind('.') + 1);
    CHECK(text.find(" " + leaf + ": " + opt.default_value + "\n") != std::string::npos);
  }

  std::vector<std::string> leaves;
  collect_leaves(root, "", leaves);
  std::set<std::string> declared;
  for (const auto& opt : node_options()) {
    declared.insert(opt.key);
  }
  for (const auto& leaf : leaves) {
    CAPTURE(leaf);
    CHECK(declared.count(leaf) == 1);
  }
  CHECK(leaves.size() == declared.size());
}

TEST_CASE("the example file loads as the default config") {
  auto loaded = load_node_config(from(SB_SOURCE_DIR "/config/node.example.yaml"));
  REQUIRE(loaded.ok());
  CHECK(dump(*loaded) == dump(node_config{}));
}

TEST_CASE("node_options describes every option once, with a type and a sentence") {
  std::set<std::string> keys;
  for (const auto& opt : node_options()) {
    CAPTURE(opt.key);
    CHECK(keys.insert(opt.key).second);
    CHECK_FALSE(opt.type.empty());
    CHECK(opt.description.size() > 10);
    CHECK(opt.description.back() == '.');
  }
  CHECK(keys.size() == 64);
  CHECK(node_options()[1].type == "enum(trace|debug|info|warn|error)");
}

TEST_CASE("the process environment is read when no list of variables is given") {
  REQUIRE(setenv("SWITCHBOARD_TIMERS__BATCH", "7", 1) == 0);
  config_sources sources;
  auto loaded = load_node_config(sources);
  REQUIRE(unsetenv("SWITCHBOARD_TIMERS__BATCH") == 0);
  REQUIRE(loaded.ok());
  CHECK(loaded->timers_batch == 7);
}
