// The JSON codec of the schema messages (runtime/json_codec.hpp), built on nlohmann::json. Every
// nlohmann exception is turned into an errc here.

#include "runtime/internal/json_codec.hpp"
#include "runtime/json_nesting.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "runtime/internal/base64.hpp"
#include "runtime/internal/schema_visit.hpp"
#include "runtime/json_codec.hpp"

namespace sb {
namespace {

using json = nlohmann::json;

constexpr std::size_t max_input_bytes = std::size_t{8} << 20;
constexpr int max_depth = 64;
constexpr std::size_t max_error_chars = 200;

// -- writing
// --------------------------------------------------------------------------------------------

// Generic over the JSON type: to_json() writes an ordered_json so that fields keep their declared
// order for people reading sbctl output; to_json_value() gives the plain json other code works
// with.
template <class Json, class V>
Json to_value(const V& v) {
  if constexpr (std::is_same_v<V, bool> || internal::is_field_integer<V> ||
                std::is_same_v<V, double> || std::is_same_v<V, std::string>) {
    return Json(v);
  } else if constexpr (std::is_same_v<V, schemas::bytes>) {
    return Json(internal::base64_encode(v.data));
  } else if constexpr (internal::is_vector<V>::value) {
    Json out = Json::array();
    for (const auto& e : v)
      out.push_back(to_value<Json>(e));
    return out;
  } else if constexpr (internal::is_string_map<V>::value) {
    Json out = Json::object();
    for (const auto& [key, e] : v)
      out[key] = to_value<Json>(e);
    return out;
  } else if constexpr (internal::is_optional<V>::value) {
    return v ? to_value<Json>(*v) : Json(nullptr);
  } else if constexpr (internal::has_fields<V>::value) {
    Json out = Json::object();
    internal::for_each_field(
        v, [&out](const char* name, const auto& member) { out[name] = to_value<Json>(member); });
    return out;
  } else {
    static_assert(internal::dependent_false<V>, "field type not supported by the JSON codec");
  }
}

// -- reading
// --------------------------------------------------------------------------------------------

const char* kind_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "float";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::binary:
      return "binary";
    case json::value_t::discarded:
      return "discarded";
  }
  return "unknown";
}

/// Reads a JSON value into schema values with explicit type checks, keeping the first error with
/// the path where it happened.
class reader {
 public:
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  /// The fields() visitor: reads one named field if the current object has it.
  template <class V>
  void operator()(const char* name, V& member) {
    if (!error_.empty())
      return;
    auto it = current_object_->find(name);
    if (it == current_object_->end())
      return;
    path_.push_field(name);
    internal::path_scope scope{path_};
    read(*it, member);
  }

  template <class V>
  bool read(const json& j, V& out) {
    if constexpr (std::is_same_v<V, bool>) {
      if (!j.is_boolean())
        return fail_type("boolean", j);
      out = j.get<bool>();
    } else if constexpr (internal::is_field_integer<V>) {
      return read_integer(j, out);
    } else if constexpr (std::is_same_v<V, double>) {
      if (!j.is_number())
        return fail_type("number", j);
      out = j.get<double>();
    } else if constexpr (std::is_same_v<V, std::string>) {
      if (!j.is_string())
        return fail_type("string", j);
      out = j.get_ref<const std::string&>();
    } else if constexpr (std::is_same_v<V, schemas::bytes>) {
      if (!j.is_string())
        return fail_type("base64 string", j);
      auto data = internal::base64_decode(j.get_ref<const std::string&>());
      if (!data)
        return fail("invalid base64");
      out.data = std::move(*data);
    } else if constexpr (internal::is_vector<V>::value) {
      if (!j.is_array())
        return fail_type("array", j);
      V items;
      items.reserve(j.size());
      for (std::size_t i = 0; i < j.size(); ++i) {
        typename V::value_type item{};
        path_.push_index(i);
        internal::path_scope scope{path_};
        if (!read(j[i], item))
          return false;
        items.push_back(std::move(item));
      }
      out = std::move(items);
    } else if constexpr (internal::is_string_map<V>::value) {
      if (!j.is_object())
        return fail_type("object", j);
      V items;
      for (const auto& [key, value] : j.items()) {
        path_.push_key(key);
        internal::path_scope scope{path_};
        typename V::mapped_type item{};
        if (!read(value, item))
          return false;
        items.emplace(key, std::move(item));
      }
      out = std::move(items);
    } else if constexpr (internal::is_optional<V>::value) {
      if (j.is_null()) {
        out.reset();
      } else {
        typename V::value_type item{};
        if (!read(j, item))
          return false;
        out = std::move(item);
      }
    } else if constexpr (internal::has_fields<V>::value) {
      if (!j.is_object())
        return fail_type("object", j);
      const json* outer = current_object_;
      current_object_ = &j;
      fields(*this, out);
      current_object_ = outer;
    } else {
      static_assert(internal::dependent_false<V>, "field type not supported by the JSON codec");
    }
    return error_.empty();
  }

 private:
  bool fail(const std::string& what) {
    if (error_.empty())
      error_ = path_.describe(what);
    return false;
  }

  bool fail_type(const char* expected, const json& j) {
    return fail(std::string{"expected "} + expected + ", got " + kind_name(j));
  }

  template <class I>
  bool read_integer(const json& j, I& out) {
    // The parser stores non-negative integers as number_unsigned and negative ones as
    // number_integer; values built in code may be number_integer either way.
    if (j.is_number_unsigned()) {
      const auto v = j.get<uint64_t>();
      if (!internal::fits<I>(v))
        return out_of_range<I>(std::to_string(v));
      out = static_cast<I>(v);
    } else if (j.is_number_integer()) {
      const auto v = j.get<int64_t>();
      const bool ok =
          v >= 0 ? internal::fits<I>(static_cast<uint64_t>(v)) : internal::fits_negative<I>(v);
      if (!ok)
        return out_of_range<I>(std::to_string(v));
      out = static_cast<I>(v);
    } else {
      return fail_type("integer", j);
    }
    return true;
  }

  template <class I>
  bool out_of_range(const std::string& value) {
    return fail("integer " + value + " out of range " + internal::range_text<I>());
  }

  internal::field_path path_;
  std::string error_;
  const json* current_object_ = nullptr;
};

/// Returns nlohmann's message without its "[json.exception.parse_error.101] " prefix, capped in
/// length because it quotes the input.
std::string parser_message(const char* what) {
  std::string_view msg{what};
  if (auto end = msg.find("] ");
      !msg.empty() && msg.front() == '[' && end != std::string_view::npos) {
    msg.remove_prefix(end + 2);
  }
  std::string out{msg.substr(0, max_error_chars)};
  if (msg.size() > max_error_chars)
    out += "...";
  return out;
}

}  // namespace

namespace internal {

template <class T>
nlohmann::json to_json_value(const T& msg) {
  return to_value<json>(msg);
}

template <class T>
result<T> from_json_value(const nlohmann::json& value) {
  try {
    T msg{};
    reader r;
    if (!r.read(value, msg))
      return {errc::invalid_argument, r.error()};
    return msg;
  } catch (...) {
    // Only an allocation failure gets here: the reader checks every type before it converts.
    return error{errc::internal, {}};
  }
}

}  // namespace internal

template <class T>
std::string to_json(const T& msg) {
  // `replace` instead of the default `strict`: a message with bad UTF-8 must still print, not
  // throw.
  return to_value<nlohmann::ordered_json>(msg).dump(-1, ' ', false, json::error_handler_t::replace);
}

template <class T>
result<T> from_json(std::string_view text) {
  try {
    if (text.size() > max_input_bytes) {
      return {errc::invalid_argument, "JSON of " + std::to_string(text.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(max_input_bytes)};
    }
    if (!json_nesting_within(text, max_depth)) {
      return {errc::invalid_argument,
              "JSON nested deeper than " + std::to_string(max_depth) + " levels"};
    }
    json value;
    try {
      value = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
      // parse_error carries "at line L, column C"; out_of_range comes from numbers like 1e999.
      return {errc::invalid_argument, "invalid JSON: " + parser_message(e.what())};
    }
    return internal::from_json_value<T>(value);
  } catch (const std::exception& e) {
    try {
      return {errc::internal, std::string{"unexpected exception while reading JSON: "} + e.what()};
    } catch (...) {
      return error{errc::internal, {}};
    }
  } catch (...) {
    return error{errc::internal, {}};
  }
}

#define SB_INSTANTIATE_JSON_CODEC(T)                            \
  template std::string to_json<T>(const T&);                    \
  template result<T> from_json<T>(std::string_view);            \
  template nlohmann::json internal::to_json_value<T>(const T&); \
  template result<T> internal::from_json_value<T>(const nlohmann::json&);
SB_FOR_EACH_MESSAGE_TYPE(SB_INSTANTIATE_JSON_CODEC)
#undef SB_INSTANTIATE_JSON_CODEC

}  // namespace sb
