#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// Whether an agent takes new conversations: only `online` agents get offers.
enum class agent_presence { online, away, offline };

/// Returns "online", "away" or "offline".
std::string_view to_string(agent_presence presence) noexcept;

/// Parses "online", "away" or "offline"; anything else is errc::invalid_argument.
result<agent_presence> agent_presence_from_string(std::string_view text);

/// Returns the queue priority of a hand-off (higher is served first): the tier's points plus the
/// reason's points, so that complaints and churn risks jump ahead of routine questions and the best
/// members ahead of everyone with the same reason.
///
/// | tier       | points |  | reason            | points |
/// |------------|--------|--|-------------------|--------|
/// | `platinum` | 30     |  | `complaint`       | 25     |
/// | `gold`     | 20     |  | `high_churn_risk` | 25     |
/// | `silver`   | 10     |  | `payment_issue`   | 15     |
/// | other      | 0      |  | `purchase_intent` | 10     |
/// |            |        |  | other             | 0      |
///
/// Examples: platinum complaint 55, gold purchase intent 30, regular complaint 25, gold
/// question 20. Names are matched exactly (lower case, as membership tiers are written elsewhere).
int handoff_priority(std::string_view tier, std::string_view reason);

/// Who an agent is and whether they take chats; what `set_agent` receives.
struct agent_info {
  std::string id;
  std::string display_name;
  std::set<std::string> skills;  ///< e.g. "presales", "aftersales", "vip", "zh", "en".
  int max_chats = 1;             ///< Offered plus accepted conversations at most (0: none).
  agent_presence presence = agent_presence::offline;
};

/// A conversation waiting for a human agent.
struct waiting_conversation {
  std::string conversation_id;
  std::string required_skill;  ///< Empty: any agent will do.
  int priority = 0;            ///< Higher first; usually handoff_priority().
  int64_t enqueued_at_ms = 0;
};

/// An offer made by assign(): `conversation_id` was reserved for `agent_id`, who may accept it.
struct agent_offer {
  std::string conversation_id;
  std::string agent_id;

  friend bool operator==(const agent_offer& a, const agent_offer& b) {
    return a.conversation_id == b.conversation_id && a.agent_id == b.agent_id;
  }
};

/// One queued conversation in a snapshot.
struct queue_position {
  waiting_conversation conversation;
  size_t position = 0;  ///< 1-based, in the order assign() considers them.
  int64_t wait_ms = 0;  ///< Time since it was first enqueued.
};

/// One agent in a snapshot, with what they are handling.
struct agent_status {
  agent_info info;
  std::vector<std::string> offered;  ///< Conversations offered to them, not yet accepted (sorted).
  std::vector<std::string> chats;    ///< Conversations they accepted (sorted).
  size_t load = 0;                   ///< offered + chats; counts against max_chats.
  int64_t last_offer_at_ms = -1;     ///< When they last got an offer; -1: never.
};

/// One conversation offered to an agent who has not accepted it yet, in a snapshot: no longer
/// queued, but still waiting for a person.
struct offered_conversation {
  waiting_conversation conversation;
  std::string agent_id;  ///< The agent it is offered to.
  int64_t wait_ms = 0;   ///< Time since it was first enqueued.
};

/// The whole desk at one moment (for status replies and `sbctl inspect`).
struct pool_snapshot {
  std::vector<queue_position> queue;         ///< In assignment order.
  std::vector<offered_conversation> offers;  ///< Offered, not accepted yet; by conversation id.
  std::vector<agent_status> agents;          ///< By agent id.
};

/// Time-to-first-agent (accept time minus first enqueue time) over the most recent accepts.
/// Percentiles use the nearest-rank method: the value at rank ceil(p/100 * count) of the sorted
/// values. All zero when count is 0.
struct wait_statistics {
  size_t count = 0;
  double mean_ms = 0;
  int64_t p50_ms = 0;
  int64_t p90_ms = 0;
};

/// The human-agent desk: a priority queue of conversations waiting for a person, the agents with
/// their skills, capacity and presence, and the offers and chats between them. Plain data and
/// logic, no I/O: the agent pool actor owns one instance, calls it from its handlers one at a time,
/// and persists it with to_json() after every change. Time is passed in by the caller.
///
/// Life of a conversation: enqueue() puts it in the queue; assign() offers it to an agent, which
/// reserves a slot of that agent's capacity; accept() by that agent turns the offer into a chat;
/// close() ends the chat and frees the slot. cancel() withdraws a waiting or offered conversation.
/// An agent who goes away or offline gets their offers re-queued with their original priority and
/// enqueue time (so they keep their place); accepted chats stay with the agent.
class agent_pool_logic {
 public:
  /// Creates an empty pool whose wait statistics cover the last `stats_window` accepts (min 1).
  explicit agent_pool_logic(size_t stats_window = 100);

  // -- queue --------------------------------------------------------------------------------------

  /// Queues a conversation. Returns true when queued, false when the conversation is already
  /// waiting, offered or in a chat (then nothing changes: priority and enqueue time stay as they
  /// were). An empty conversation id is errc::invalid_argument.
  result<bool> enqueue(waiting_conversation conversation);

  /// Withdraws a waiting or offered conversation (the shopper left or the bot solved it). Unknown
  /// ids are errc::not_found; accepted chats are errc::invalid_argument (close() them).
  result<void> cancel(std::string_view conversation_id);

  // -- agents -------------------------------------------------------------------------------------

  /// Adds an agent or updates their name, skills, capacity and presence. Going away or offline
  /// re-queues their offered-but-not-accepted conversations; returns those ids, in queue order.
  /// Accepted chats stay, even above a lowered capacity (no new offers until the load drops).
  /// An empty id or a negative max_chats is errc::invalid_argument.
  result<std::vector<std::string>> set_agent(agent_info agent);

  // -- dispatch -----------------------------------------------------------------------------------

  /// Offers waiting conversations to agents and returns the offers made. Conversations are taken in
  /// priority order, then by enqueue time (then first come); each goes to the online agent having
  /// its skill and a free slot with the lowest load, ties to the one who got an offer longest ago
  /// (never beats any time), then the smallest id. A conversation no agent can take stays queued
  /// without holding back the ones behind it.
  std::vector<agent_offer> assign(int64_t now_ms);

  /// Accepts an offer: only the agent it was offered to may. Returns the time to first agent
  /// (now_ms - enqueued_at_ms, at least 0), which also goes into wait_stats(). Accepting again by
  /// the same agent returns the recorded wait without counting it twice. Unknown agent or
  /// conversation: errc::not_found; a conversation not offered, or offered to someone else:
  /// errc::invalid_argument.
  result<int64_t> accept(std::string_view conversation_id, std::string_view agent_id,
                         int64_t now_ms);

  /// Ends an accepted chat and frees its slot. Unknown ids are errc::not_found; conversations still
  /// waiting or offered are errc::invalid_argument (cancel() them).
  result<void> close(std::string_view conversation_id);

  // -- inspection ---------------------------------------------------------------------------------

  /// Returns the queue with positions and waits at `now_ms`, and every agent with their load.
  [[nodiscard]] pool_snapshot snapshot(int64_t now_ms) const;

  /// Returns count, mean, p50 and p90 of the time to first agent over the last accepts.
  [[nodiscard]] wait_statistics wait_stats() const;

  // -- persistence --------------------------------------------------------------------------------

  /// Returns the whole state as a JSON object (version 1), for the actor's stored record.
  [[nodiscard]] std::string to_json() const;

  /// Reads a state written by to_json(). Unknown keys are ignored and missing ones keep defaults,
  /// as with schema messages; invalid JSON, wrong types and inconsistent state (duplicate ids,
  /// offers to unknown agents) are errc::decode_malformed, a newer version
  /// errc::decode_incompatible.
  static result<agent_pool_logic> from_json(std::string_view text);

 private:
  // A queued conversation with its arrival number, which breaks ties in the queue order and keeps a
  // re-queued conversation at its old place.
  struct queued {
    waiting_conversation conversation;
    uint64_t seq = 0;
  };

  struct offer_record {
    queued entry;
    std::string agent_id;
  };

  struct chat_record {
    std::string agent_id;
    int64_t enqueued_at_ms = 0;
    int64_t accepted_at_ms = 0;
  };

  struct agent_record {
    agent_info info;
    std::set<std::string> offered;
    std::set<std::string> chats;
    int64_t last_offer_at_ms = -1;
  };

  void insert_queued(queued entry);
  [[nodiscard]] bool known(const std::string& conversation_id) const;
  [[nodiscard]] agent_record* pick_agent(const std::string& skill);
  void record_wait(int64_t wait_ms);

  size_t stats_window_;
  uint64_t next_seq_ = 1;
  std::vector<queued> queue_;  // in assignment order
  std::map<std::string, agent_record, std::less<>> agents_;
  std::map<std::string, offer_record, std::less<>> offers_;
  std::map<std::string, chat_record, std::less<>> chats_;
  std::deque<int64_t> recent_waits_;  // newest last
};

}  // namespace sb
