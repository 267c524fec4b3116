#pragma once

// Checked reading of the JSON that actor kinds keep as their stored state (profiles, the agent
// desk): nlohmann's getters throw on a wrong type; this reader keeps the first failure with its
// path ("agents[0].max_chats: expected an integer") and never throws. Private to actors/*.cpp.

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace sb::detail {

/// Reads fields of stored JSON objects; a missing key keeps the caller's default. Collects the
/// first error (error() is empty while all reads succeeded). One instance per document; not
/// thread-safe.
class json_reader {
 public:
  using json = nlohmann::json;

  [[nodiscard]] const std::string& error() const { return error_; }

  bool fail(const std::string& where, const std::string& what) {
    if (error_.empty()) {
      error_ = where + ": " + what;
    }
    return false;
  }

  static const json* find(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  bool read(const json& obj, const std::string& where, const char* key, std::string& out) {
    const json* v = find(obj, key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_string()) {
      return fail(path(where, key), "expected a string");
    }
    out = v->get<std::string>();
    return true;
  }

  bool read(const json& obj, const std::string& where, const char* key, bool& out) {
    const json* v = find(obj, key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_boolean()) {
      return fail(path(where, key), "expected a boolean");
    }
    out = v->get<bool>();
    return true;
  }

  bool read(const json& obj, const std::string& where, const char* key, double& out) {
    const json* v = find(obj, key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_number()) {
      return fail(path(where, key), "expected a number");
    }
    out = v->get<double>();
    return true;
  }

  bool read(const json& obj, const std::string& where, const char* key, int64_t& out) {
    const json* v = find(obj, key);
    return v == nullptr || integer(*v, path(where, key), out);
  }

  bool read(const json& obj, const std::string& where, const char* key, int& out) {
    int64_t wide = out;
    if (!read(obj, where, key, wide)) {
      return false;
    }
    if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
      return fail(path(where, key), "integer out of range");
    }
    out = static_cast<int>(wide);
    return true;
  }

  // Reads an array of strings into any container with insert(end, value).
  template <class Strings>
  bool read_strings(const json& obj, const std::string& where, const char* key, Strings& out) {
    const json* v = find(obj, key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_array()) {
      return fail(path(where, key), "expected an array");
    }
    for (const auto& e : *v) {
      if (!e.is_string()) {
        return fail(path(where, key), "expected strings");
      }
      out.insert(out.end(), e.get<std::string>());
    }
    return true;
  }

  bool integer(const json& v, const std::string& where, int64_t& out) {
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return fail(where, "integer out of range");
      }
      out = static_cast<int64_t>(v.get<uint64_t>());
      return true;
    }
    if (!v.is_number_integer()) {
      return fail(where, "expected an integer");
    }
    out = v.get<int64_t>();
    return true;
  }

  // Calls read_one(element, "key[i]") for each object of the array obj[key] (absent: none).
  template <class F>
  bool each_object(const json& obj, const char* key, F read_one) {
    const json* v = find(obj, key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_array()) {
      return fail(key, "expected an array");
    }
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string where = std::string{key} + "[" + std::to_string(i) + "]";
      if (!(*v)[i].is_object()) {
        return fail(where, "expected an object");
      }
      if (!read_one((*v)[i], where)) {
        return false;
      }
    }
    return true;
  }

  // Returns obj[key] as an array (an empty one when absent), or nullptr after a type error.
  const json* array(const json& obj, const char* key) {
    static const json empty = json::array();
    const json* v = find(obj, key);
    if (v == nullptr) {
      return &empty;
    }
    if (!v->is_array()) {
      fail(key, "expected an array");
      return nullptr;
    }
    return v;
  }

 private:
  static std::string path(const std::string& where, const char* key) {
    return where.empty() ? std::string{key} : where + "." + key;
  }

  std::string error_;
};

}  // namespace sb::detail
