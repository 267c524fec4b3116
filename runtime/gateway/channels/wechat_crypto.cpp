#include "runtime/gateway/channels/wechat_crypto.hpp"

#include <cstdint>
#include <memory>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "runtime/internal/base64.hpp"

namespace sb::channels {

namespace {

constexpr std::size_t random_size = 16;
constexpr std::size_t length_size = 4;
constexpr std::size_t pad_block = 32;  // WeChat pads to the key size, not to AES's block
constexpr std::size_t aes_block = 16;

int sextet(char ch) {
  if (ch >= 'A' && ch <= 'Z') {
    return ch - 'A';
  }
  if (ch >= 'a' && ch <= 'z') {
    return ch - 'a' + 26;
  }
  if (ch >= '0' && ch <= '9') {
    return ch - '0' + 52;
  }
  return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

// 43 characters carry 258 bits. WeChat generates keys at random, so the 2 bits past the 32 bytes
// are often not zero (its own sample key ends in 'G'): they are ignored, as WeChat's samples do,
// where a canonical base64 decoder would refuse the key.
bool decode_key(std::string_view text, std::array<unsigned char, 32>& key) {
  uint32_t acc = 0;
  int bits = 0;
  std::size_t out = 0;
  for (char ch : text) {
    const int v = sextet(ch);
    if (v < 0) {
      return false;
    }
    acc = (acc << 6 | static_cast<uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8 && out < key.size()) {
      bits -= 8;
      key[out++] = static_cast<unsigned char>(acc >> bits & 0xff);
    }
  }
  return out == key.size();
}

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

// Runs AES-256-CBC without OpenSSL's padding over whole blocks; false if OpenSSL fails.
bool aes_cbc(bool encrypt, const std::array<unsigned char, 32>& key, std::string_view in,
             std::string& out) {
  std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter> ctx{EVP_CIPHER_CTX_new()};
  if (!ctx || in.size() % aes_block != 0) {
    return false;
  }
  const unsigned char* iv = key.data();  // WeChat's IV is the first 16 bytes of the key
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv, encrypt ? 1 : 0) !=
          1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return false;
  }
  out.assign(in.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int written = 0;
  int final_written = 0;
  if (EVP_CipherUpdate(ctx.get(), dst, &written, reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), dst + written, &final_written) != 1 ||
      static_cast<std::size_t>(written) + static_cast<std::size_t>(final_written) != in.size()) {
    return false;
  }
  return true;
}

error not_a_message() {
  // One message for every failure after AES, so that the reason does not tell an attacker which
  // padding or length guess was right.
  return {errc::decode_malformed, "the ciphertext does not decrypt to a WeChat message"};
}

}  // namespace

result<wechat_crypto> wechat_crypto::create(std::string_view encoding_aes_key, std::string app_id) {
  if (encoding_aes_key.size() != 43) {
    return error{errc::invalid_argument, "EncodingAESKey must be 43 characters, got " +
                                             std::to_string(encoding_aes_key.size())};
  }
  std::array<unsigned char, 32> key{};
  if (!decode_key(encoding_aes_key, key)) {
    return error{errc::invalid_argument, "EncodingAESKey holds characters outside base64"};
  }
  if (app_id.empty()) {
    return error{errc::invalid_argument, "the app id of safe mode must not be empty"};
  }
  return wechat_crypto{key, std::move(app_id)};
}

result<std::string> wechat_crypto::decrypt(std::string_view base64_ciphertext) const {
  if (base64_ciphertext.size() > max_ciphertext_chars) {
    return error{errc::decode_malformed, "ciphertext of " +
                                             std::to_string(base64_ciphertext.size()) +
                                             " characters exceeds the limit"};
  }
  auto cipher = internal::base64_decode(base64_ciphertext);
  if (!cipher) {
    return error{errc::decode_malformed, "the ciphertext is not base64"};
  }
  if (cipher->empty() || cipher->size() % aes_block != 0) {
    return error{errc::decode_malformed, "a ciphertext of " + std::to_string(cipher->size()) +
                                             " bytes is not a whole number of AES blocks"};
  }
  std::string plain;
  if (!aes_cbc(false, key_, *cipher, plain)) {
    return error{errc::internal, "OpenSSL failed to run AES-256-CBC"};
  }
  const auto pad = static_cast<unsigned char>(plain.back());
  if (pad < 1 || pad > pad_block || pad > plain.size()) {
    return not_a_message();
  }
  unsigned char diff = 0;
  for (std::size_t i = plain.size() - pad; i < plain.size(); ++i) {
    diff |= static_cast<unsigned char>(plain[i]) ^ pad;
  }
  if (diff != 0) {
    return not_a_message();
  }
  const std::size_t body = plain.size() - pad;
  if (body < random_size + length_size) {
    return not_a_message();
  }
  uint64_t length = 0;
  for (std::size_t i = random_size; i < random_size + length_size; ++i) {
    length = length << 8 | static_cast<unsigned char>(plain[i]);
  }
  const std::size_t start = random_size + length_size;
  if (length > body - start) {
    return not_a_message();
  }
  const auto msg_end = start + static_cast<std::size_t>(length);
  if (std::string_view{plain}.substr(msg_end, body - msg_end) != app_id_) {
    return error{errc::invalid_argument,
                 "the message is addressed to another app id than " + app_id_};
  }
  return plain.substr(start, static_cast<std::size_t>(length));
}

std::string wechat_crypto::encrypt(std::string_view xml, std::string_view random16) const {
  if (xml.size() > UINT32_MAX) {
    return {};
  }
  std::string plain;
  plain.reserve(random_size + length_size + xml.size() + app_id_.size() + pad_block);
  if (random16.size() == random_size) {
    plain.append(random16);
  } else {
    plain.assign(random_size, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(plain.data()), random_size) != 1) {
      return {};
    }
  }
  const auto length = static_cast<uint32_t>(xml.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    plain += static_cast<char>(length >> shift & 0xff);
  }
  plain.append(xml);
  plain.append(app_id_);
  const std::size_t pad = pad_block - plain.size() % pad_block;
  plain.append(pad, static_cast<char>(pad));
  std::string cipher;
  if (!aes_cbc(true, key_, plain, cipher)) {
    return {};
  }
  return internal::base64_encode(cipher);
}

}  // namespace sb::channels
