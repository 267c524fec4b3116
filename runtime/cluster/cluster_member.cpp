#include "runtime/cluster/cluster_member.hpp"

#include "runtime/logging.hpp"
#include "schemas/subjects.hpp"

namespace sb::cluster {

namespace {

using schemas::subjects::lease_bucket;
using schemas::subjects::member_bucket;

}  // namespace

nats::settings nats_settings_of(const node_config& cfg, const std::string& connection_name) {
  nats::settings s;
  size_t start = 0;
  while (start <= cfg.nats_servers.size()) {
    auto comma = cfg.nats_servers.find(',', start);
    auto url = cfg.nats_servers.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!url.empty() && url.front() == ' ') {
      url.erase(url.begin());
    }
    while (!url.empty() && url.back() == ' ') {
      url.pop_back();
    }
    if (!url.empty()) {
      s.tls = s.tls || url.rfind("tls://", 0) == 0;
      s.servers.push_back(url);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  s.name = cfg.node_id + "/" + connection_name;
  s.user = cfg.nats_user;
  s.password = cfg.nats_password;
  s.token = cfg.nats_token;
  s.tls_ca_file = cfg.nats_tls_ca_file;
  s.tls_cert_file = cfg.nats_tls_cert_file;
  s.tls_key_file = cfg.nats_tls_key_file;
  s.tls = s.tls || !s.tls_ca_file.empty();
  return s;
}

cluster_member::cluster_member(const node_config& cfg)
    : cfg_(cfg), table_(static_cast<uint32_t>(cfg.cluster_partitions)) {}

result<std::unique_ptr<cluster_member>> cluster_member::connect(const node_config& cfg) {
  std::unique_ptr<cluster_member> m{new cluster_member(cfg)};
  auto connect_one = [&](const char* name) {
    return nats::client::connect(nats_settings_of(cfg, name));
  };
  auto pub = connect_one("publisher");
  if (!pub) {
    return pub.err();
  }
  m->publisher_ = std::move(*pub);
  auto sub = connect_one("subscriber");
  if (!sub) {
    return sub.err();
  }
  m->subscriber_ = std::move(*sub);
  auto lc = connect_one("leases");
  if (!lc) {
    return lc.err();
  }
  m->leases_conn_ = std::move(*lc);
  auto lb = m->leases_conn_->key_value(lease_bucket, cfg.cluster_lease_time);
  if (!lb) {
    return lb.err();
  }
  m->lease_bucket_ = std::move(*lb);
  auto mb = m->leases_conn_->key_value(member_bucket, cfg.cluster_lease_time);
  if (!mb) {
    return mb.err();
  }
  m->member_bucket_ = std::move(*mb);
  return m;
}

cluster_member::~cluster_member() {
  stop();
}

nats_bus& cluster_member::make_bus(engine_hooks hooks) {
  hooks_ = std::move(hooks);
  nats_bus_settings s;
  s.node_id = cfg_.node_id;
  s.memory_storage = cfg_.cluster_intake_storage == "memory";
  s.intake_max_age = cfg_.cluster_intake_max_age;
  s.events_max_age = cfg_.cluster_intake_max_age;
  s.ack_wait = cfg_.cluster_intake_ack_wait;
  s.max_ack_pending = cfg_.cluster_intake_max_ack_pending;
  bus_ = std::make_unique<nats_bus>(*publisher_, *subscriber_, *hooks_.local, hooks_.apply_in_order,
                                    table_, s);
  return *bus_;
}

result<void> cluster_member::start(store& st, std::string member_info) {
  store_ = &st;
  if (auto r = bus_->start(); !r) {
    return r;
  }
  lease_settings ls;
  ls.node_id = cfg_.node_id;
  ls.partitions = table_.count();
  ls.lease_time = cfg_.cluster_lease_time;
  ls.renew_interval = cfg_.cluster_renew_interval;
  ls.member_info = std::move(member_info);
  lease_callbacks cb;
  cb.gained = [this](uint32_t p, int64_t token) { return on_gained(p, token); };
  cb.releasing = [this](uint32_t p) { on_releasing(p); };
  cb.lost = [this](uint32_t p) { on_lost(p); };
  leases_ = std::make_unique<lease_manager>(*lease_bucket_, *member_bucket_, ls, std::move(cb));
  leases_->start();
  return {};
}

bool cluster_member::on_gained(uint32_t p, int64_t token) {
  auto raised = store_->raise_fence(fence_key(p), token);
  if (!raised || !*raised) {
    get_logger("cluster")->warn("cannot raise the fence of partition {} to {}: {}", p, token,
                                raised ? "it holds a newer token" : raised.err().to_string());
    return false;
  }
  table_.hold(p, token);
  if (auto r = bus_->start_partition(p); !r) {
    get_logger("cluster")->warn("cannot consume partition {}: {}", p, r.err().to_string());
    table_.drop(p);
    return false;
  }
  return true;
}

void cluster_member::on_releasing(uint32_t p) {
  bus_->stop_partition(p, true, std::chrono::seconds(5));
  table_.close(p);
  if (hooks_.passivate_partition) {
    hooks_.passivate_partition(p);
  }
  table_.drop(p);
}

void cluster_member::on_lost(uint32_t p) {
  table_.drop(p);
  bus_->stop_partition(p, false, std::chrono::milliseconds(0));
  if (hooks_.passivate_partition) {
    hooks_.passivate_partition(p);
  }
}

void cluster_member::leave() {
  if (leases_) {
    leases_->leave();
  }
}

void cluster_member::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  // A node leaves (hands over) while draining, before it stops; without that, this only stops
  // renewing and the leases expire by themselves.
  leases_.reset();
  if (bus_) {
    bus_->stop();
  }
}

std::vector<partition_owner> cluster_member::owners() const {
  std::vector<partition_owner> out;
  for (uint32_t p = 0; p < table_.count(); ++p) {
    partition_owner o;
    o.partition = p;
    if (auto e = lease_bucket_->get(lease_key(p)); e && e->has_value()) {
      o.owner = (*e)->value;
    }
    if (bus_) {
      o.lag = bus_->partition_lag(p);
    }
    out.push_back(std::move(o));
  }
  return out;
}

void cluster_member::set_member_info(std::string info) {
  if (leases_) {
    leases_->set_member_info(std::move(info));
  }
}

member_status cluster_member::status(bool with_lag) const {
  member_status s;
  s.partitions = table_.count();
  if (leases_) {
    s.members = leases_->members();
    s.member_infos = leases_->member_infos();
    s.leases = leases_->held();
    s.partitions_taken = leases_->taken_count();
    s.partitions_released = leases_->released_count();
    s.partitions_lost = leases_->lost_count();
  }
  s.publisher = publisher_->stats();
  s.subscriber = subscriber_->stats();
  if (bus_) {
    const auto& c = bus_->counters();
    s.intake_published = c.intake_published;
    s.intake_publish_errors = c.intake_publish_errors;
    s.intake_applied = c.intake_applied;
    s.intake_redelivered = c.intake_redelivered;
    s.intake_naked = c.intake_naked;
    s.intake_rejected = c.intake_rejected;
    s.intake_in_flight = bus_->in_flight();
    s.local_shortcuts = c.local_shortcuts;
    s.intake_lag = with_lag ? bus_->intake_lag() : 0;
  }
  return s;
}

}  // namespace sb::cluster
