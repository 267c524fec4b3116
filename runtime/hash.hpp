#pragma once

#include <cstdint>
#include <string_view>

namespace sb {

/// FNV-1a 64's starting value (the offset basis); pass it as `h` to hash from scratch.
inline constexpr uint64_t fnv1a64_basis = 14695981039346656037ULL;

/// Returns FNV-1a 64 of `bytes`, continuing from the state `h` (so that several pieces can be
/// hashed as one string without concatenating them). Pure and stable across processes, builds and
/// versions: partitions, rendezvous owners and experiment variants are derived from it, so
/// changing it moves every actor to another node. Thread-safe.
constexpr uint64_t fnv1a64(std::string_view bytes, uint64_t h = fnv1a64_basis) noexcept {
  constexpr uint64_t prime = 1099511628211ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= prime;
  }
  return h;
}

/// Returns MurmurHash3's 64-bit finalizer of `k`: mixes every input bit into every output bit,
/// which FNV-1a alone does poorly for short inputs that differ in their last bytes. Pure, stable
/// across versions, thread-safe.
constexpr uint64_t fmix64(uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

}  // namespace sb
