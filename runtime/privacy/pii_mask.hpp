#pragma once

#include <string>
#include <string_view>

namespace sb {

/// What one call of mask_pii() masked, by kind; for metrics (never log the values themselves).
struct pii_findings {
  int phones = 0;  ///< Mainland China mobile numbers.
  int ids = 0;     ///< 18-character resident identity card numbers with a valid check character.
  int cards = 0;   ///< Bank card numbers.
  int emails = 0;  ///< E-mail addresses.

  /// Returns the number of things masked.
  [[nodiscard]] int total() const { return phones + ids + cards + emails; }
};

/// Returns `utf8_text` with personal data masked, for anything that is stored or logged
/// (transcripts, events, log lines). A pure function: thread-safe, linear in the text's length, a
/// hand-written scanner (no regular expressions).
///
/// What is masked (`*` replaces the hidden characters; separators inside a number are dropped):
/// - mainland mobile numbers, 11 digits `1[3-9]…`, written whole or as 3-4-4 or 3-8 groups
///   separated by a space or a dash, also after `+86`, `86` or `0086`: `138-1234-5678` →
///   `138****5678` (first 3 and last 4 kept; a prefix is kept as written);
/// - resident identity numbers, 17 digits and a check character (digit or X) that satisfies ISO
///   7064 MOD 11-2, whole or as 6-8-4 groups: all but the first and the last character hidden
///   (`1****************X`): the first six digits name the place of birth, the next eight the
///   birthday, so keeping more would leave the person findable;
/// - bank card numbers of 16–19 digits that pass the Luhn check, or that start with 62 (UnionPay,
///   whose numbers do not always pass it), whole or in groups of four (the last group may be
///   shorter): first 4 and last 4 kept, the length preserved (`6222***********0123`);
/// - e-mail addresses with an ASCII local part and a dotted domain ending in a two-letter or longer
///   top-level name: the first character of the local part and the domain kept
///   (`a***@example.com`). Addresses are found first, so the QQ mailbox `12345678901@qq.com`
///   counts as an address, not a phone number.
///
/// A number is considered only whole: digits that belong to a longer run of digits, or that touch
/// an ASCII letter or a `*` (as in `A1002`, `SO13812345678` or an already masked number), or an
/// `@` or an address right after them, are left alone, and so is every number that fails all the
/// rules. Full-width digits (`１３８…`), the full-width hyphen, full-width X and the ideographic
/// space are understood as well; a masked number is written with ASCII digits. Masking is
/// idempotent: masking the result again changes nothing. Bytes that are not valid UTF-8 are copied
/// unchanged. Not masked: landlines, passports, addresses, names, and e-mail addresses with
/// non-ASCII local parts.
std::string mask_pii(std::string_view utf8_text);

/// Like mask_pii(text), and sets `found` to what was masked.
std::string mask_pii(std::string_view utf8_text, pii_findings& found);

}  // namespace sb
