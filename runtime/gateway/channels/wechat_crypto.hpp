#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/result.hpp"

namespace sb::channels {

/// WeChat's "safe mode" (安全模式) message encryption, for one Official Account.
///
/// The AES key is base64_decode(EncodingAESKey + "="), 32 bytes. A message is sent as
/// base64(AES-256-CBC(key, iv = key[0..16), pkcs7_32(random16 + be32(len) + msg + app_id))),
/// where pkcs7_32 is PKCS#7 padding to a multiple of 32 bytes (not AES's 16). The app id at the
/// end says which account the message is for and must be ours.
/// See https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html
///
/// CBC has no integrity of its own: check the request's msg_signature (wechat_signature.hpp)
/// before calling decrypt(), as WeChat prescribes, so that forged ciphertexts never reach it.
///
/// Immutable after create(); cheap to copy; safe to share between threads.
class wechat_crypto {
 public:
  /// Largest base64 ciphertext decrypt() accepts (WeChat's pushes are a few KiB).
  static constexpr std::size_t max_ciphertext_chars = 1 << 20;

  /// Returns a crypto for `app_id` from its 43-character EncodingAESKey; invalid_argument if the
  /// key is not 43 base64 characters or the app id is empty.
  static result<wechat_crypto> create(std::string_view encoding_aes_key, std::string app_id);

  /// Returns the message inside a base64 <Encrypt> value. decode_malformed for anything that is
  /// not a well-formed message (bad base64, length, padding or length field); invalid_argument if
  /// it is well-formed but addressed to another app id.
  [[nodiscard]] result<std::string> decrypt(std::string_view base64_ciphertext) const;

  /// Returns `xml` encrypted as a base64 <Encrypt> value. Uses `random16` as the random prefix if
  /// it is exactly 16 bytes (for tests and published vectors), otherwise 16 bytes from OpenSSL's
  /// CSPRNG. Returns an empty string only if OpenSSL itself fails.
  [[nodiscard]] std::string encrypt(std::string_view xml, std::string_view random16 = {}) const;

  /// Returns the app id messages must carry.
  [[nodiscard]] const std::string& app_id() const noexcept { return app_id_; }

 private:
  wechat_crypto(const std::array<unsigned char, 32>& key, std::string app_id)
      : key_(key), app_id_(std::move(app_id)) {}

  std::array<unsigned char, 32> key_;
  std::string app_id_;
};

}  // namespace sb::channels
