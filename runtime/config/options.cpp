#include "runtime/config/options.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <system_error>

namespace sb::detail {

namespace {

using std::chrono::milliseconds;

// -- declaration helpers --------------------------------------------------------------------------

option_decl string_option(std::string_view key, option_decl::string_member member,
                          std::string_view description, option_decl::check_fn check = nullptr,
                          std::string_view shape = {}) {
  option_decl d;
  d.key = key;
  d.description = description;
  d.type = option_type::string;
  d.member = member;
  d.check = check;
  d.shape = shape;
  return d;
}

option_decl enum_option(std::string_view key, option_decl::string_member member,
                        std::vector<std::string_view> choices, std::string_view description) {
  option_decl d;
  d.key = key;
  d.description = description;
  d.type = option_type::enumeration;
  d.member = member;
  d.choices = std::move(choices);
  return d;
}

option_decl integer_option(std::string_view key, option_decl::integer_member member, int64_t min,
                           int64_t max, std::string_view description) {
  option_decl d;
  d.key = key;
  d.description = description;
  d.type = option_type::integer;
  d.member = member;
  d.min = min;
  d.max = max;
  return d;
}

option_decl duration_option(std::string_view key, option_decl::duration_member member,
                            milliseconds min, std::string_view description) {
  option_decl d;
  d.key = key;
  d.description = description;
  d.type = option_type::duration;
  d.member = member;
  d.min = min.count();
  return d;
}

// -- extra rules for strings ----------------------------------------------------------------------

// Node ids go into log lines, status snapshots and possibly bus subjects, where '.' and blanks
// would mean something else.
bool is_node_id(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

bool is_host(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  // A bare IPv6 address would make "host:port" ambiguous, so it must be bracketed.
  if (text.front() == '[') {
    return text.size() > 2 && text.back() == ']';
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    return c == ':' || std::isspace(static_cast<unsigned char>(c)) != 0;
  });
}

bool is_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || !is_host(text.substr(0, colon))) {
    return false;
  }
  auto port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int value = 0;
  std::from_chars(port.data(), port.data() + port.size(), value);
  return value <= 65535;
}

bool is_aes_key_or_empty(std::string_view key) {
  if (key.empty()) {
    return true;
  }
  if (key.size() != 43) {
    return false;
  }
  for (char ch : key) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '/';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// -- the table ------------------------------------------------------------------------------------

std::vector<option_decl> make_table() {
  using c = node_config;
  constexpr milliseconds one_ms{1};
  return {
      string_option("node.id", &c::node_id,
                    "Unique name of this node among the nodes that share a bus and a store.",
                    is_node_id, "a name of 1 to 64 letters, digits, '-' or '_'"),
      enum_option("log.level", &c::log_level, {"trace", "debug", "info", "warn", "error"},
                  "Lowest severity that is written to the log."),
      enum_option("log.format", &c::log_format, {"text", "json"},
                  "Log line format: readable text, or one JSON object per line."),
      integer_option("scheduler.threads", &c::scheduler_threads, 0, 1024,
                     "Worker threads of the actor scheduler; 0 means one per core, at least 2."),
      string_option("gateway.listen", &c::gateway_listen,
                    "Address the HTTP gateway listens on, as host:port; port 0 picks a free port.",
                    is_host_port, "host:port with a port from 0 to 65535"),
      integer_option("gateway.threads", &c::gateway_threads, 1, 1024,
                     "Threads that serve HTTP requests in the gateway."),
      integer_option("gateway.max_body_bytes", &c::gateway_max_body_bytes, 1, int64_t{1} << 30,
                     "Largest request body the gateway accepts, in bytes."),
      enum_option("bus.kind", &c::bus_kind, {"inproc", "nats"},
                  "Message bus between actors; inproc keeps every actor in this process, nats "
                  "joins a cluster of nodes over NATS JetStream."),
      duration_option("bus.request_timeout", &c::bus_request_timeout, one_ms,
                      "How long a request sent over the bus waits for its reply."),
      string_option("nats.servers", &c::nats_servers,
                    "NATS server URLs, comma-separated, tried in order (tls:// requires TLS)."),
      string_option("nats.user", &c::nats_user,
                    "User name for NATS; empty sends none (set it with nats.password)."),
      string_option("nats.password", &c::nats_password, "Password for NATS; empty sends none."),
      string_option("nats.token", &c::nats_token,
                    "Authentication token for NATS; empty sends none."),
      string_option("nats.tls.ca_file", &c::nats_tls_ca_file,
                    "PEM file of the CA that signed the NATS server's certificate; setting it "
                    "requires TLS."),
      string_option("nats.tls.cert_file", &c::nats_tls_cert_file,
                    "PEM client certificate for NATS servers that verify clients."),
      string_option("nats.tls.key_file", &c::nats_tls_key_file,
                    "PEM private key of nats.tls.cert_file."),
      integer_option("cluster.partitions", &c::cluster_partitions, 1, 65536,
                     "Partitions the addresses are hashed into; every node of a cluster must use "
                     "the same number."),
      duration_option("cluster.lease_time", &c::cluster_lease_time, one_ms,
                      "How long a dead node's partitions stay unserved before others take them."),
      duration_option("cluster.renew_interval", &c::cluster_renew_interval, one_ms,
                      "How often a node renews its leases and re-reads the members (at most a "
                      "third of cluster.lease_time)."),
      enum_option("cluster.intake.storage", &c::cluster_intake_storage, {"file", "memory"},
                  "Where JetStream keeps the intake and event streams."),
      duration_option("cluster.intake.max_age", &c::cluster_intake_max_age, one_ms,
                      "How long the intake and event streams keep messages."),
      duration_option("cluster.intake.ack_wait", &c::cluster_intake_ack_wait, one_ms,
                      "How long a delivered intake message may stay unacknowledged before it is "
                      "delivered again."),
      integer_option("cluster.intake.max_ack_pending", &c::cluster_intake_max_ack_pending, 1,
                     1000000, "Intake messages a partition may have in flight at once."),
      enum_option("store.kind", &c::store_kind, {"memory", "redis"},
                  "Where actor state is kept: in memory (lost at exit) or in Redis."),
      string_option("store.redis.host", &c::store_redis_host,
                    "Host name or address of the Redis server.", is_host,
                    "a host name or address (IPv6 in brackets)"),
      integer_option("store.redis.port", &c::store_redis_port, 1, 65535,
                     "TCP port of the Redis server."),
      string_option("store.redis.password", &c::store_redis_password,
                    "Password sent with AUTH after connecting; empty sends none."),
      integer_option("store.redis.db", &c::store_redis_db, 0, 255,
                     "Redis database number selected after connecting."),
      duration_option("store.redis.timeout", &c::store_redis_timeout, one_ms,
                      "Time limit for connecting to Redis and for each command."),
      integer_option("store.redis.pool_size", &c::store_redis_pool_size, 1, 64,
                     "Connections kept open to the Redis server."),
      string_option("store.key_prefix", &c::store_key_prefix,
                    "Prefix of every key this node writes to the store."),
      duration_option("actors.idle_passivate", &c::actors_idle_passivate, one_ms,
                      "How long an actor may stay idle before it is saved and stopped."),
      duration_option("actors.user_idle_passivate", &c::actors_user_idle_passivate, one_ms,
                      "How long a person's profile (user actor) may stay idle before it is saved "
                      "and stopped; conversations read it once a session, so it need not stay "
                      "as long as they do."),
      duration_option("actors.sweep_interval", &c::actors_sweep_interval, one_ms,
                      "How often the registry looks for idle actors to passivate."),
      integer_option("actors.registry_shards", &c::actors_registry_shards, 1, 256,
                     "Registry actors that share the keyed actors by address hash; more spread "
                     "activation work."),
      duration_option("timers.poll_interval", &c::timers_poll_interval, one_ms,
                      "How often the timer service looks for due timers."),
      integer_option("timers.batch", &c::timers_batch, 1, 100000,
                     "Most due timers fired in one poll."),
      duration_option("conversation.session_idle", &c::conversation_session_idle, one_ms,
                      "How long a conversation may stay silent before its session ends."),
      integer_option("conversation.transcript_limit", &c::conversation_transcript_limit, 1, 100000,
                     "Most messages kept in the transcript of one conversation."),
      duration_option(
          "gateway.reply_wait", &c::gateway_reply_wait, one_ms,
          "How long a web or app message waits for the bot's replies before answering."),
      duration_option("gateway.longpoll_max", &c::gateway_longpoll_max, one_ms,
                      "Longest wait_ms a long-poll for new messages may ask for."),
      string_option("channels.app.secret", &c::channels_app_secret,
                    "Secret of the app channel's HMAC-SHA256 request signatures; empty refuses app "
                    "messages."),
      duration_option("channels.max_skew", &c::channels_max_skew, one_ms,
                      "How far a signed request's timestamp may be from now (app and WeChat)."),
      string_option("channels.wechat.token", &c::channels_wechat_token,
                    "Token configured in the WeChat Official Account console; empty refuses WeChat "
                    "requests."),
      string_option(
          "channels.wechat.app_id", &c::channels_wechat_app_id,
          "AppID of the Official Account (checked in safe mode, used by the message API)."),
      string_option("channels.wechat.app_secret", &c::channels_wechat_app_secret,
                    "AppSecret of the Official Account, for the access token of the message API."),
      string_option(
          "channels.wechat.encoding_aes_key", &c::channels_wechat_encoding_aes_key,
          "EncodingAESKey for safe mode (43 characters); empty allows plaintext mode only.",
          is_aes_key_or_empty, "empty or 43 characters of base64 alphabet"),
      string_option(
          "channels.wechat.api_base", &c::channels_wechat_api_base,
          "Base URL of WeChat's customer-service message API (tests point it at a local server)."),
      string_option("events.token", &c::events_token,
                    "Bearer token that POST /v1/events requires; empty refuses business events."),
      string_option(
          "nlu.dictionary", &c::nlu_dictionary,
          "jieba word-frequency dictionary for Chinese segmentation (from python3-jieba)."),
      string_option("nlu.intents", &c::nlu_intents, "Intent keywords and synonyms (YAML)."),
      string_option(
          "nlu.lexicon", &c::nlu_lexicon,
          "Sentiment and price-sensitivity lexicon with negations and intensifiers (YAML)."),
      string_option("nlu.faq", &c::nlu_faq, "Frequently asked questions and their answers (YAML)."),
      string_option("nlu.replies", &c::nlu_replies, "What the bot says, by situation (YAML)."),
      string_option("catalog.file", &c::catalog_file,
                    "Product catalog the bot recommends from (YAML)."),
      duration_option("catalog.cache_ttl", &c::catalog_cache_ttl, one_ms,
                      "How long product data is cached before it is read again."),
      integer_option("handoff.unresolved_turns", &c::handoff_unresolved_turns, 1, 100,
                     "Consecutive messages the bot cannot answer before it hands off to a human."),
      string_option("handoff.vip_tiers", &c::handoff_vip_tiers,
                    "Comma-separated membership tiers whose complaints go straight to a human."),
      string_option("campaigns.dir", &c::campaigns_dir,
                    "Folder of campaign files (*.yaml, one campaign each; SIGHUP reloads them)."),
      string_option("experiments.file", &c::experiments_file,
                    "A/B experiments of reply scripts (YAML; SIGHUP reloads it)."),
      string_option("churn.model_file", &c::churn_model_file,
                    "Churn-risk logistic model (YAML, from sbctl train-churn; SIGHUP reloads it)."),
      duration_option("attribution.window", &c::attribution_window, one_ms,
                      "How long before an order a recommendation or coupon counts as its cause."),
      string_option(
          "admin.token", &c::admin_token,
          "Bearer token the admin API (/v1/actors/...) requires; empty turns the admin API off."),
      string_option("demo.scenario", &c::demo_scenario,
                    "Path of the scripted demo scenario, relative to the working directory."),
  };
}

// -- messages -------------------------------------------------------------------------------------

std::string found(std::string_view text) {
  if (text.empty()) {
    return "nothing";
  }
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

error bad_value(const option_decl& opt, const std::string& what_was_found) {
  return error{errc::config_bad_value, "expected " + opt.expected() + ", found " + what_was_found};
}

}  // namespace

// -- option_decl ----------------------------------------------------------------------------------

result<void> option_decl::assign(node_config& cfg, std::string_view text) const {
  switch (type) {
    case option_type::string:
      if (check != nullptr && !check(text)) {
        return bad_value(*this, found(text));
      }
      cfg.*std::get<string_member>(member) = std::string{text};
      return {};
    case option_type::enumeration:
      if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
        return bad_value(*this, found(text));
      }
      cfg.*std::get<string_member>(member) = std::string{text};
      return {};
    case option_type::integer: {
      // Decimal only: YAML's octal and hex forms would surprise in a config file, and "1.5" or
      // "true" must not be truncated into a number.
      int64_t value = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, value);
      if (ptr != end || (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
        return bad_value(*this, found(text));
      }
      if (ec == std::errc::result_out_of_range || value < min || value > max) {
        return bad_value(*this, std::string{text});
      }
      cfg.*std::get<integer_member>(member) = value;
      return {};
    }
    case option_type::duration: {
      auto parsed = parse_duration(text);
      if (!parsed) {
        return bad_value(*this, found(text) + " (" + parsed.err().message + ")");
      }
      if (parsed->count() < min) {
        return bad_value(*this, std::string{text});
      }
      cfg.*std::get<duration_member>(member) = *parsed;
      return {};
    }
  }
  return error{errc::internal, "option " + std::string{key} + " has no type"};
}

std::string option_decl::format(const node_config& cfg) const {
  switch (type) {
    case option_type::integer:
      return std::to_string(cfg.*std::get<integer_member>(member));
    case option_type::duration:
      return format_duration(cfg.*std::get<duration_member>(member));
    case option_type::string:
    case option_type::enumeration:
      break;
  }
  // The emitter quotes exactly when a plain scalar would read back differently ("sb:", "").
  YAML::Emitter out;
  out << cfg.*std::get<string_member>(member);
  return out.c_str();
}

std::string option_decl::type_name() const {
  switch (type) {
    case option_type::string:
      return "string";
    case option_type::integer:
      return "integer";
    case option_type::duration:
      return "duration";
    case option_type::enumeration:
      break;
  }
  std::string out = "enum(";
  for (size_t i = 0; i < choices.size(); ++i) {
    out += i == 0 ? "" : "|";
    out += choices[i];
  }
  return out + ")";
}

std::string option_decl::expected() const {
  switch (type) {
    case option_type::string:
      return shape.empty() ? "a string" : std::string{shape};
    case option_type::integer:
      return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    case option_type::duration:
      return "a duration of at least " + format_duration(milliseconds{min});
    case option_type::enumeration:
      break;
  }
  auto name = type_name();  // "enum(a|b)"
  return "one of " + name.substr(5, name.size() - 6);
}

std::string option_decl::env_name() const {
  std::string out = "SWITCHBOARD_";
  for (char c : key) {
    if (c == '.') {
      out += "__";
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// -- lookup ---------------------------------------------------------------------------------------

const std::vector<option_decl>& option_table() {
  static const std::vector<option_decl> table = make_table();
  return table;
}

const option_decl* find_option(std::string_view key) {
  for (const auto& opt : option_table()) {
    if (opt.key == key) {
      return &opt;
    }
  }
  return nullptr;
}

bool is_option_section(std::string_view path) {
  for (const auto& opt : option_table()) {
    if (opt.key.size() > path.size() && opt.key.substr(0, path.size()) == path &&
        opt.key[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace sb::detail

namespace sb {

const std::vector<option_info>& node_options() {
  static const std::vector<option_info> infos = [] {
    const node_config defaults;
    std::vector<option_info> out;
    for (const auto& opt : detail::option_table()) {
      out.push_back(option_info{std::string{opt.key}, opt.type_name(), opt.format(defaults),
                                std::string{opt.description}});
    }
    return out;
  }();
  return infos;
}

}  // namespace sb
