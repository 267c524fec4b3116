#pragma once

// The two SHA-1 signatures of WeChat's message push (Official Account "server configuration"):
//  - `signature` on every request: SHA-1 of the lexicographically sorted concatenation of the
//    token, the timestamp and the nonce. It authenticates the GET echostr handshake and the POSTs
//    of plaintext mode.
//  - `msg_signature` in safe mode: the same over four strings, the fourth being the <Encrypt>
//    ciphertext, so that it also covers the body. Safe-mode POSTs are checked with it, never with
//    `signature`; the encrypted reply carries one too.
// See https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html

#include <string>
#include <string_view>

namespace sb::channels {

/// Returns the `signature` WeChat computes for a request: lowercase hex SHA-1 of the sorted
/// concatenation of token, timestamp and nonce.
std::string url_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce);

/// Returns true if `signature` (hex, either case) is url_signature(token, timestamp, nonce).
/// Compares in constant time; an empty token or signature never verifies.
bool verify_url_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view signature);

/// Returns the safe-mode `msg_signature`: lowercase hex SHA-1 of the sorted concatenation of
/// token, timestamp, nonce and the base64 ciphertext `encrypted`.
std::string msg_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view encrypted);

/// Returns true if `signature` (hex, either case) is msg_signature(token, timestamp, nonce,
/// encrypted). Compares in constant time; an empty token or signature never verifies.
bool verify_msg_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view encrypted,
                          std::string_view signature);

}  // namespace sb::channels
