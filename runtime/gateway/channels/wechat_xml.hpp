#pragma once

// The XML bodies of WeChat's message push for Official Accounts: the inbound messages and events
// WeChat POSTs, the outer <Encrypt> envelope of safe mode, and the passive replies a handler
// answers with. See https://developers.weixin.qq.com/doc/subscription/guide/ (接收普通消息,
// 接收事件推送, 被动回复用户消息) and .../guide/dev/push/encryption.html.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace sb::channels {

/// Largest XML body the parsers accept; WeChat's pushes are far smaller.
inline constexpr std::size_t max_wechat_xml_bytes = std::size_t{64} * 1024;

/// One message or event pushed by WeChat, with the fields Switchboard uses. Fields a message
/// type does not carry stay empty.
struct wechat_inbound {
  std::string to_user;      ///< ToUserName: the Official Account's original id (gh_...).
  std::string from_user;    ///< FromUserName: the sender's OpenID.
  std::string msg_type;     ///< MsgType: "text", "event", "image", ... as WeChat spells it.
  std::string content;      ///< Content of a text message.
  std::string event;        ///< Event of an event message: "subscribe", "unsubscribe", "CLICK", ...
  std::string event_key;    ///< EventKey: the menu key of CLICK, "qrscene_..." of a QR subscribe.
  std::string msg_id;       ///< MsgId of an ordinary message (events have none).
  int64_t create_time = 0;  ///< CreateTime, seconds since the epoch.
};

/// Returns the message in a plaintext (or decrypted) push body. Requires <xml> with ToUserName,
/// FromUserName, CreateTime (an integer) and MsgType, plus Content and MsgId for "text" and Event
/// for "event" (and EventKey for "CLICK"). Other message types are returned with the common fields
/// only, for the caller to acknowledge. Unknown elements are ignored; a known element given twice,
/// holding child elements, a DOCTYPE, malformed XML or more than max_wechat_xml_bytes is
/// decode_malformed.
result<wechat_inbound> parse_inbound(std::string_view xml);

/// Returns the <Encrypt> ciphertext of a safe-mode push body (<xml><ToUserName/><Encrypt/></xml>);
/// decode_malformed if it is missing, empty or the XML is malformed.
result<std::string> extract_encrypt(std::string_view xml);

/// Returns the passive reply carrying text `content` to `to_user` (the sender's OpenID) from
/// `from_user` (the account's original id). Values go in CDATA sections; a "]]>" inside one is
/// split across two sections, and control characters XML cannot carry are dropped.
std::string build_text_reply(std::string_view to_user, std::string_view from_user,
                             int64_t create_time, std::string_view content);

/// Returns the safe-mode reply envelope: <Encrypt>, <MsgSignature>, <TimeStamp> and <Nonce>.
/// `encrypt` comes from wechat_crypto::encrypt and `msg_signature` from msg_signature() over the
/// same timestamp and nonce.
std::string build_encrypted_reply(std::string_view encrypt, std::string_view msg_signature,
                                  std::string_view timestamp, std::string_view nonce);

}  // namespace sb::channels
