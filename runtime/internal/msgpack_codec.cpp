// The msgpack wire codec of the schema messages (runtime/codec.hpp). The only translation unit that
// sees msgpack types for messages; every msgpack exception is turned into an errc::decode_* here.

#include <msgpack/object.hpp>
#include <msgpack/pack.hpp>
#include <msgpack/unpack.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "runtime/codec.hpp"
#include "runtime/internal/schema_visit.hpp"
#include "runtime/metrics.hpp"

namespace sb {
namespace {

// Caps for untrusted input. Without them msgpack pre-allocates from declared lengths, so a 5-byte
// array32 header could ask for gigabytes. Even within them a container header may reserve 16 bytes
// per declared entry, so total input is capped as well; NATS' default max payload (1 MiB) is well
// below.
constexpr std::size_t max_input_bytes = std::size_t{8} << 20;
constexpr std::size_t max_entries = std::size_t{1} << 16;
constexpr std::size_t max_str_bytes = std::size_t{4} << 20;
constexpr std::size_t max_ext_bytes = std::size_t{1} << 10;  // no schema uses ext
constexpr std::size_t max_depth = 32;

constexpr std::string_view key_message_type = "message_type";
constexpr std::string_view key_version = "version";
constexpr std::string_view key_min_version = "min_compatible_version";

// -- writing
// --------------------------------------------------------------------------------------------

/// A msgpack output stream that appends to a string, so encode() needs no second copy.
struct string_stream {
  std::string& out;
  void write(const char* data, std::size_t n) { out.append(data, n); }
};

using packer = msgpack::packer<string_stream>;

void pack_string(packer& pk, std::string_view s) {
  pk.pack_str(static_cast<uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
}

template <class V>
void pack_value(packer& pk, const V& v);

template <class T>
void pack_fields(packer& pk, const T& x) {
  internal::for_each_field(x, [&pk](const char* name, const auto& member) {
    pack_string(pk, name);
    pack_value(pk, member);
  });
}

template <class V>
void pack_value(packer& pk, const V& v) {
  if constexpr (std::is_same_v<V, bool>) {
    if (v) {
      pk.pack_true();
    } else {
      pk.pack_false();
    }
  } else if constexpr (internal::is_field_integer<V>) {
    // pack_int64/pack_uint64 pick the shortest encoding of the value.
    if constexpr (std::is_signed_v<V>) {
      pk.pack_int64(static_cast<int64_t>(v));
    } else {
      pk.pack_uint64(static_cast<uint64_t>(v));
    }
  } else if constexpr (std::is_same_v<V, double>) {
    pk.pack_double(v);
  } else if constexpr (std::is_same_v<V, std::string>) {
    pack_string(pk, v);
  } else if constexpr (std::is_same_v<V, schemas::bytes>) {
    pk.pack_bin(static_cast<uint32_t>(v.data.size()));
    pk.pack_bin_body(v.data.data(), static_cast<uint32_t>(v.data.size()));
  } else if constexpr (internal::is_vector<V>::value) {
    pk.pack_array(static_cast<uint32_t>(v.size()));
    for (const auto& e : v)
      pack_value(pk, e);
  } else if constexpr (internal::is_string_map<V>::value) {
    pk.pack_map(static_cast<uint32_t>(v.size()));
    for (const auto& [key, e] : v) {
      pack_string(pk, key);
      pack_value(pk, e);
    }
  } else if constexpr (internal::is_optional<V>::value) {
    if (v) {
      pack_value(pk, *v);
    } else {
      pk.pack_nil();
    }
  } else if constexpr (internal::has_fields<V>::value) {
    pk.pack_map(static_cast<uint32_t>(internal::field_count(v)));
    pack_fields(pk, v);
  } else {
    static_assert(internal::dependent_false<V>, "field type not supported by the msgpack codec");
  }
}

// -- reading
// --------------------------------------------------------------------------------------------

const char* kind_name(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return "nil";
    case msgpack::type::BOOLEAN:
      return "boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return "float";
    case msgpack::type::STR:
      return "string";
    case msgpack::type::BIN:
      return "binary";
    case msgpack::type::ARRAY:
      return "array";
    case msgpack::type::MAP:
      return "map";
    case msgpack::type::EXT:
      return "extension";
  }
  return "unknown";
}

std::string_view str_of(const msgpack::object& o) {
  return {o.via.str.ptr, o.via.str.size};
}

/// Reads a msgpack object tree into schema values, checking every type itself (no as<T>()), and
/// keeps the first error with the path where it happened.
class reader {
 public:
  /// Returns the first error message; empty while reading succeeds.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  /// Finds the value of `key` in a map object; returns nullptr if absent or (with an error) if the
  /// key appears twice or the map has a non-string key.
  const msgpack::object* find(const msgpack::object& map, std::string_view key) {
    const msgpack::object* found = nullptr;
    const auto& m = map.via.map;
    for (uint32_t i = 0; i < m.size; ++i) {
      const msgpack::object& k = m.ptr[i].key;
      if (k.type != msgpack::type::STR) {
        fail(std::string{"map key of type "} + kind_name(k) + ", expected string");
        return nullptr;
      }
      if (str_of(k) != key)
        continue;
      if (found != nullptr) {
        // Two readers could otherwise disagree on which value counts.
        fail("duplicate key \"" + std::string{key} + "\"");
        return nullptr;
      }
      found = &m.ptr[i].val;
    }
    return found;
  }

  /// The fields() visitor: reads one named field if present.
  template <class V>
  void operator()(const char* name, V& member) {
    if (!error_.empty())
      return;
    const msgpack::object* o = find(*current_map_, name);
    if (o == nullptr)
      return;
    path_.push_field(name);
    internal::path_scope scope{path_};
    read(*o, member);
  }

  template <class V>
  bool read(const msgpack::object& o, V& out) {
    if constexpr (std::is_same_v<V, bool>) {
      if (o.type != msgpack::type::BOOLEAN)
        return fail_type("boolean", o);
      out = o.via.boolean;
    } else if constexpr (internal::is_field_integer<V>) {
      return read_integer(o, out);
    } else if constexpr (std::is_same_v<V, double>) {
      // Writers in other languages may pack an integral double as an integer.
      if (o.type == msgpack::type::FLOAT32 || o.type == msgpack::type::FLOAT64) {
        out = o.via.f64;
      } else if (o.type == msgpack::type::POSITIVE_INTEGER) {
        out = static_cast<double>(o.via.u64);
      } else if (o.type == msgpack::type::NEGATIVE_INTEGER) {
        out = static_cast<double>(o.via.i64);
      } else {
        return fail_type("float", o);
      }
    } else if constexpr (std::is_same_v<V, std::string>) {
      if (o.type != msgpack::type::STR)
        return fail_type("string", o);
      out.assign(o.via.str.ptr, o.via.str.size);
    } else if constexpr (std::is_same_v<V, schemas::bytes>) {
      if (o.type != msgpack::type::BIN)
        return fail_type("binary", o);
      out.data.assign(o.via.bin.ptr, o.via.bin.size);
    } else if constexpr (internal::is_vector<V>::value) {
      if (o.type != msgpack::type::ARRAY)
        return fail_type("array", o);
      V items;
      items.reserve(o.via.array.size);
      for (uint32_t i = 0; i < o.via.array.size; ++i) {
        typename V::value_type item{};
        path_.push_index(i);
        internal::path_scope scope{path_};
        if (!read(o.via.array.ptr[i], item))
          return false;
        items.push_back(std::move(item));
      }
      out = std::move(items);
    } else if constexpr (internal::is_string_map<V>::value) {
      if (o.type != msgpack::type::MAP)
        return fail_type("map", o);
      V items;
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) {
          return fail(std::string{"map key of type "} + kind_name(kv.key) + ", expected string");
        }
        std::string key{str_of(kv.key)};
        path_.push_key(key);
        internal::path_scope scope{path_};
        typename V::mapped_type item{};
        if (!read(kv.val, item))
          return false;
        if (!items.emplace(std::move(key), std::move(item)).second)
          return fail("duplicate key");
      }
      out = std::move(items);
    } else if constexpr (internal::is_optional<V>::value) {
      if (o.type == msgpack::type::NIL) {
        out.reset();
      } else {
        typename V::value_type item{};
        if (!read(o, item))
          return false;
        out = std::move(item);
      }
    } else if constexpr (internal::has_fields<V>::value) {
      if (o.type != msgpack::type::MAP)
        return fail_type("map", o);
      const msgpack::object* outer = current_map_;
      current_map_ = &o;
      fields(*this, out);
      current_map_ = outer;
    } else {
      static_assert(internal::dependent_false<V>, "field type not supported by the msgpack codec");
    }
    return error_.empty();
  }

  bool fail(const std::string& what) {
    if (error_.empty())
      error_ = path_.describe(what);
    return false;
  }

 private:
  bool fail_type(const char* expected, const msgpack::object& o) {
    return fail(std::string{"expected "} + expected + ", got " + kind_name(o));
  }

  template <class I>
  bool read_integer(const msgpack::object& o, I& out) {
    if (o.type == msgpack::type::POSITIVE_INTEGER) {
      if (!internal::fits<I>(o.via.u64))
        return out_of_range<I>(std::to_string(o.via.u64));
      out = static_cast<I>(o.via.u64);
    } else if (o.type == msgpack::type::NEGATIVE_INTEGER) {
      if (!internal::fits_negative<I>(o.via.i64))
        return out_of_range<I>(std::to_string(o.via.i64));
      out = static_cast<I>(o.via.i64);
    } else {
      return fail_type("integer", o);
    }
    return true;
  }

  template <class I>
  bool out_of_range(const std::string& value) {
    return fail("integer " + value + " out of range " + internal::range_text<I>());
  }

  internal::field_path path_;
  std::string error_;
  const msgpack::object* current_map_ = nullptr;
};

// -- decoding
// -------------------------------------------------------------------------------------------

/// Reads the version header and the fields of a message map.
template <class T>
result<T> read_message(const msgpack::object& top) {
  if (top.type != msgpack::type::MAP) {
    return {errc::decode_malformed, std::string{"expected a map, got "} + kind_name(top)};
  }
  reader r;
  const msgpack::object* type = r.find(top, key_message_type);
  if (!r.error().empty())
    return {errc::decode_malformed, r.error()};
  if (type == nullptr)
    return {errc::decode_malformed, "missing message_type"};
  if (type->type != msgpack::type::STR) {
    return {errc::decode_malformed,
            std::string{"message_type: expected string, got "} + kind_name(*type)};
  }
  if (str_of(*type) != T::type_name) {
    constexpr std::size_t max_shown = 64;
    return {errc::decode_wrong_type, "expected " + std::string{T::type_name} + ", got " +
                                         std::string{str_of(*type).substr(0, max_shown)}};
  }

  uint16_t version = 0;
  uint16_t min_version = 0;
  for (auto [key, out] :
       {std::pair{key_version, &version}, std::pair{key_min_version, &min_version}}) {
    const msgpack::object* o = r.find(top, key);
    if (o == nullptr) {
      if (r.error().empty())
        r.fail("missing " + std::string{key});
      return {errc::decode_malformed, r.error()};
    }
    if (!r.read(*o, *out))
      return {errc::decode_malformed, std::string{key} + ": " + r.error()};
  }
  if (min_version > version) {
    return {errc::decode_malformed, "min_compatible_version " + std::to_string(min_version) +
                                        " is above version " + std::to_string(version)};
  }
  if (min_version > T::version) {
    return {errc::decode_incompatible,
            std::string{T::type_name} + " version " + std::to_string(version) +
                " needs a reader of version " + std::to_string(min_version) +
                " or later; this reader is version " + std::to_string(T::version)};
  }

  T msg{};
  if (!r.read(top, msg))
    return {errc::decode_malformed, r.error()};
  return msg;
}

template <class T>
result<T> decode_unchecked(std::string_view bytes) {
  if (bytes.size() > max_input_bytes) {
    return {errc::decode_malformed, "input of " + std::to_string(bytes.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(max_input_bytes)};
  }
  try {
    const msgpack::unpack_limit limit{max_entries,   max_entries,   max_str_bytes,
                                      max_str_bytes, max_ext_bytes, max_depth};
    std::size_t offset = 0;
    msgpack::object_handle handle =
        msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limit);
    if (offset != bytes.size()) {
      return {errc::decode_malformed,
              std::to_string(bytes.size() - offset) + " trailing bytes after the message"};
    }
    return read_message<T>(handle.get());
  } catch (const msgpack::insufficient_bytes&) {
    return {errc::decode_truncated,
            "input ends early, after " + std::to_string(bytes.size()) + " bytes"};
  } catch (const msgpack::size_overflow& e) {
    return {errc::decode_malformed,
            std::string{"a length exceeds the decoder's limits: "} + e.what()};
  } catch (const msgpack::unpack_error& e) {
    return {errc::decode_malformed, std::string{"not valid msgpack: "} + e.what()};
  } catch (const std::bad_alloc&) {
    return {errc::internal, "out of memory while decoding"};
  } catch (const std::exception& e) {
    return {errc::internal, std::string{"unexpected exception while decoding: "} + e.what()};
  }
}

/// Counts one decode failure in sb_decode_errors_total{type, reason}.
template <class T>
void count_failure(errc code) noexcept {
  try {
    metrics::registry::global()
        .get_counter("sb_decode_errors_total",
                     "Messages that could not be decoded, by type and reason",
                     {{"type", T::type_name}, {"reason", std::string{to_string(code)}}})
        .inc();
  } catch (
      ...) {  // NOLINT(bugprone-empty-catch): a metric must never turn a decode error into a crash
  }
}

}  // namespace

template <class T>
std::string encode(const T& msg) {
  std::string out;
  string_stream stream{out};
  packer pk{stream};
  pk.pack_map(static_cast<uint32_t>(3 + internal::field_count(msg)));
  pack_string(pk, key_message_type);
  pack_string(pk, T::type_name);
  pack_string(pk, key_version);
  pk.pack_uint16(T::version);
  pack_string(pk, key_min_version);
  pk.pack_uint16(T::min_compatible_version);
  pack_fields(pk, msg);
  return out;
}

template <class T>
result<T> decode(std::string_view bytes) {
  try {
    result<T> r = decode_unchecked<T>(bytes);
    if (!r)
      count_failure<T>(r.err().code);
    return r;
  } catch (...) {
    // Only an allocation failure while building the error itself gets here.
    return error{errc::internal, {}};
  }
}

#define SB_INSTANTIATE_MSGPACK_CODEC(T)     \
  template std::string encode<T>(const T&); \
  template result<T> decode<T>(std::string_view);
SB_FOR_EACH_MESSAGE_TYPE(SB_INSTANTIATE_MSGPACK_CODEC)
#undef SB_INSTANTIATE_MSGPACK_CODEC

}  // namespace sb
