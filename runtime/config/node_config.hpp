#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// Every setting of a node, with its default. Filled by `load_node_config` from (lowest to highest
/// precedence) these defaults, the YAML file, SWITCHBOARD_* environment variables and `--set`.
/// Each member is declared once as an option (key, description, validation) in options.cpp;
/// config/node.example.yaml lists every key with the same default (a test keeps them in step).
/// Plain data: copied into the services that need it at start-up, never read ad hoc later.
struct node_config {
  using ms = std::chrono::milliseconds;

  // node
  std::string node_id = "node-1";
  // log
  std::string log_level = "info";   ///< trace, debug, info, warn, error
  std::string log_format = "text";  ///< text or json
  // scheduler
  int64_t scheduler_threads = 0;  ///< 0: one per core, at least 2
  // gateway
  std::string gateway_listen = "127.0.0.1:8080";  ///< host:port; port 0 picks a free port
  int64_t gateway_threads = 8;
  int64_t gateway_max_body_bytes = 65536;
  // bus
  std::string bus_kind = "inproc";  ///< inproc or nats
  ms bus_request_timeout{2000};
  // nats (bus.kind: nats)
  std::string nats_servers = "nats://127.0.0.1:4222";  ///< comma-separated URLs
  std::string nats_user;
  std::string nats_password;
  std::string nats_token;
  std::string nats_tls_ca_file;
  std::string nats_tls_cert_file;
  std::string nats_tls_key_file;
  // cluster (bus.kind: nats)
  int64_t cluster_partitions = 256;
  ms cluster_lease_time{10'000};
  ms cluster_renew_interval{1000};
  std::string cluster_intake_storage = "file";  ///< file or memory
  ms cluster_intake_max_age{std::chrono::hours(24)};
  ms cluster_intake_ack_wait{5000};
  int64_t cluster_intake_max_ack_pending = 1000;
  // store
  std::string store_kind = "memory";  ///< memory or redis
  std::string store_redis_host = "127.0.0.1";
  int64_t store_redis_port = 6379;
  std::string store_redis_password;
  int64_t store_redis_db = 0;
  ms store_redis_timeout{2000};
  int64_t store_redis_pool_size = 4;
  std::string store_key_prefix = "sb:";
  // actors
  ms actors_idle_passivate{std::chrono::minutes(5)};
  ms actors_user_idle_passivate{std::chrono::minutes(1)};
  ms actors_sweep_interval{std::chrono::seconds(10)};
  int64_t actors_registry_shards = 4;
  // timers
  ms timers_poll_interval{100};
  int64_t timers_batch = 1000;
  // conversation
  ms conversation_session_idle{std::chrono::minutes(30)};
  int64_t conversation_transcript_limit = 200;
  // gateway: channel behaviour
  ms gateway_reply_wait{2000};
  ms gateway_longpoll_max{std::chrono::seconds(30)};
  // channels
  std::string channels_app_secret;
  ms channels_max_skew{std::chrono::seconds(300)};
  std::string channels_wechat_token;
  std::string channels_wechat_app_id;
  std::string channels_wechat_app_secret;
  std::string channels_wechat_encoding_aes_key;
  std::string channels_wechat_api_base = "https://api.weixin.qq.com";
  // events
  std::string events_token;
  // nlu and catalog
  std::string nlu_dictionary = "/usr/lib/python3/dist-packages/jieba/dict.txt";
  std::string nlu_intents = "config/intents.yaml";
  std::string nlu_lexicon = "config/lexicon/sentiment.yaml";
  std::string nlu_faq = "config/faq.yaml";
  std::string nlu_replies = "config/replies.yaml";
  std::string catalog_file = "config/catalog.yaml";
  ms catalog_cache_ttl{std::chrono::minutes(5)};
  // handoff
  int64_t handoff_unresolved_turns = 2;
  std::string handoff_vip_tiers = "gold,platinum";
  // marketing
  std::string campaigns_dir = "config/campaigns";
  std::string experiments_file = "config/experiments.yaml";
  std::string churn_model_file = "config/churn-model.yaml";
  ms attribution_window{std::chrono::hours(24 * 7)};
  // admin
  std::string admin_token;
  // demo
  std::string demo_scenario = "config/demo/scenario.yaml";
};

/// Where a node's configuration comes from. An environment variable is named `SWITCHBOARD_` plus
/// the key upper-cased with each '.' written as "__" (SWITCHBOARD_STORE__REDIS__HOST sets
/// store.redis.host) and its value is taken literally; a `--set` value is read as a YAML scalar,
/// so quoting works.
struct config_sources {
  std::string file;               ///< YAML file; empty: embedded defaults only.
  std::vector<std::string> sets;  ///< `KEY=VALUE` overrides from the command line.
  bool read_environment = true;   ///< Apply SWITCHBOARD_* variables (between file and `--set`).
  /// `NAME=VALUE` entries read instead of the process environment when set (tests pass their own).
  std::optional<std::vector<std::string>> environment;
};

/// Loads and validates the configuration. On failure the error message lists every problem, one a
/// line, each as `file:line:column: key: reason` (or `--set KEY=VALUE: reason`, or
/// `environment SWITCHBOARD_X: reason`). Unknown keys and bad values are errors. The error's code
/// is that of the first problem: config_io, config_syntax, config_unknown_key or config_bad_value.
result<node_config> load_node_config(const config_sources& sources);

/// Describes one option for documentation and for the example-file test.
struct option_info {
  std::string key;            ///< Dotted path, e.g. "store.redis.port".
  std::string type;           ///< "string", "integer", "duration", "enum(a|b)".
  std::string default_value;  ///< As it would be written in YAML.
  std::string description;    ///< One sentence.
};

/// Returns every declared option, in declaration order.
const std::vector<option_info>& node_options();

/// Parses a duration such as "250ms", "30s", "30m", "72h", "1h30m" or "2d" into milliseconds. Units
/// are required (a bare "30" is an error) and go from largest to smallest, each at most once. On
/// failure: config_bad_value whose message is the reason, without the text itself.
result<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Formats milliseconds as the shortest duration text that parses back to it ("30m", "250ms",
/// "90m"; on a tie the larger leading unit: "2h5m"). Zero is "0s"; a negative value gives "-5ms",
/// which parse_duration rejects.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace sb
