#pragma once

#include <functional>
#include <string>

namespace sb::schemas {

/// The address of a keyed actor: its kind ("conversation", "user", "campaign") and its key
/// ("wechat:oXYZ#3", "u-42"). Every business entity is reached through its address, never through a
/// raw actor handle. The text form is `kind/key`; a kind never contains '/'.
struct address {
  std::string kind;
  std::string key;

  bool operator==(const address& other) const { return kind == other.kind && key == other.key; }
  bool operator!=(const address& other) const { return !(*this == other); }
  bool operator<(const address& other) const {
    return kind < other.kind || (kind == other.kind && key < other.key);
  }
};

/// Field list of `address` for the codecs.
template <class F>
void fields(F& f, address& x) {
  f("kind", x.kind);
  f("key", x.key);
}

/// Returns "kind/key".
inline std::string to_string(const address& a) {
  return a.kind + "/" + a.key;
}

}  // namespace sb::schemas

template <>
struct std::hash<sb::schemas::address> {
  size_t operator()(const sb::schemas::address& a) const noexcept {
    size_t h = std::hash<std::string>{}(a.kind);
    return h ^ (std::hash<std::string>{}(a.key) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};
