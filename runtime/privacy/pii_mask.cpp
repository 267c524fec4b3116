#include "runtime/privacy/pii_mask.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace sb {

namespace {

// -- characters
// -------------------------------------------------------------------------------------

// Every helper takes the end of the stretch being scanned, so a multi-byte character is only read
// when all of it lies inside; invalid UTF-8 simply never matches.

bool bytes_at(std::string_view s, size_t i, size_t end, const char (&seq)[4]) {
  return i + 3 <= end && s[i] == seq[0] && s[i + 1] == seq[1] && s[i + 2] == seq[2];
}

/// Returns the length of the digit at `i` (1 for ASCII, 3 for U+FF10..U+FF19) and sets `value`;
/// 0 if there is none.
size_t digit_at(std::string_view s, size_t i, size_t end, int& value) {
  if (i >= end) {
    return 0;
  }
  if (s[i] >= '0' && s[i] <= '9') {
    value = s[i] - '0';
    return 1;
  }
  const auto b2 = i + 2 < end ? static_cast<unsigned char>(s[i + 2]) : 0;
  if (i + 3 <= end && s[i] == '\xEF' && s[i + 1] == '\xBC' && b2 >= 0x90 && b2 <= 0x99) {
    value = b2 - 0x90;
    return 3;
  }
  return 0;
}

/// Returns the length of a separator inside a number at `i` (space, '-', U+FF0D full-width
/// hyphen, U+3000 ideographic space); 0 if there is none.
size_t separator_at(std::string_view s, size_t i, size_t end) {
  if (i >= end) {
    return 0;
  }
  if (s[i] == ' ' || s[i] == '-') {
    return 1;
  }
  return bytes_at(s, i, end, "\xEF\xBC\x8D") || bytes_at(s, i, end, "\xE3\x80\x80") ? 3 : 0;
}

/// Returns the length of an X (check character of an identity number) at `i`: 'X', 'x', U+FF38 or
/// U+FF58; 0 if there is none.
size_t x_at(std::string_view s, size_t i, size_t end) {
  if (i >= end) {
    return 0;
  }
  if (s[i] == 'X' || s[i] == 'x') {
    return 1;
  }
  return bytes_at(s, i, end, "\xEF\xBC\xB8") || bytes_at(s, i, end, "\xEF\xBD\x98") ? 3 : 0;
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A number touching one of these is part of a code ("A1002") or of a masked value ("138****5678").
bool is_word(char c) {
  return is_alnum(c) || c == '*';
}

// -- checks
// -----------------------------------------------------------------------------------------

bool is_mobile(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

/// Returns the ISO 7064 MOD 11-2 check character of the first 17 digits of an identity number.
char id_check_char(std::string_view d17) {
  static constexpr std::array<int, 17> weights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                  3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    sum += (d17[i] - '0') * weights[i];
  }
  return "10X98765432"[sum % 11];
}

bool luhn_valid(std::string_view d) {
  int sum = 0;
  bool twice = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = d[i] - '0';
    if (twice) {
      v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    }
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// -- numbers
// ----------------------------------------------------------------------------------------

constexpr size_t max_digits = 19;  // the longest number masked (a 19-digit card)
constexpr size_t max_groups = 5;   // the most groups of a number (4-4-4-4-3)

/// A maximal run of digits, and whether an X follows it.
struct group {
  size_t begin = 0, end = 0;
  size_t count = 0;  // digits in the group
  std::array<char, max_digits>
      digits{};      // ASCII, only the first max_digits: longer ones never match
  size_t x_end = 0;  // end of the X right after the group, or 0
};

group parse_group(std::string_view s, size_t i, size_t end) {
  group g;
  g.begin = i;
  int v = 0;
  while (size_t len = digit_at(s, i, end, v)) {
    if (g.count < max_digits) {
      g.digits[g.count] = static_cast<char>('0' + v);
    }
    ++g.count;
    i += len;
  }
  g.end = i;
  if (size_t len = x_at(s, i, end)) {
    g.x_end = i + len;
  }
  return g;
}

enum class kind { phone, id, card };

struct match {
  kind what;
  std::string masked;
  size_t end;
};

bool lengths_are(const std::array<group, max_groups>& g, size_t k,
                 std::initializer_list<size_t> l) {
  if (k != l.size()) {
    return false;
  }
  size_t i = 0;
  for (size_t want : l) {
    if (g[i++].count != want) {
      return false;
    }
  }
  return true;
}

// Returns d[0, front) + `stars` asterisks + d[back, end).
std::string masked(std::string_view d, size_t front, size_t stars, size_t back) {
  std::string out{d.substr(0, front)};
  out.append(stars, '*');
  out.append(d.substr(back));
  return out;
}

/// Returns what groups [0, k) are, if they are something to mask.
std::optional<match> classify(const std::array<group, max_groups>& g, size_t k) {
  size_t total = 0;
  for (size_t i = 0; i < k; ++i) {
    total += g[i].count;
  }
  if (total < 11 || total > max_digits) {
    return std::nullopt;  // shorter than a phone number, longer than a card
  }
  std::array<char, max_digits> buf{};
  for (size_t i = 0, at = 0; i < k; at += g[i].count, ++i) {
    std::copy_n(g[i].digits.begin(), g[i].count, buf.begin() + static_cast<std::ptrdiff_t>(at));
  }
  const std::string_view d{buf.data(), total};
  const group& last = g[k - 1];
  const bool whole = k == 1;
  // Identity number ending in X: the X belongs to the number.
  if (last.x_end != 0) {
    if (total == 17 && (whole || lengths_are(g, k, {6, 8, 3})) && id_check_char(d) == 'X') {
      return match{kind::id, masked(d, 1, 16, total) + "X", last.x_end};
    }
    return std::nullopt;  // any other number followed by a letter is part of a code
  }
  if ((whole && total == 11) || lengths_are(g, k, {3, 4, 4}) || lengths_are(g, k, {3, 8})) {
    if (is_mobile(d)) {
      return match{kind::phone, masked(d, 3, 4, 7), last.end};
    }
  }
  if (whole && (total == 13 || total == 15)) {
    const size_t prefix = total - 11;
    if (d.compare(0, prefix, prefix == 2 ? "86" : "0086") == 0 && is_mobile(d.substr(prefix))) {
      return match{kind::phone, masked(d, prefix + 3, 4, prefix + 7), last.end};
    }
  }
  if (total == 18 && (whole || lengths_are(g, k, {6, 8, 4})) && id_check_char(d) == d[17]) {
    return match{kind::id, masked(d, 1, 16, 17), last.end};
  }
  if (total >= 16) {
    bool grouped = whole;
    if (!whole) {
      grouped = last.count >= 1 && last.count <= 4;
      for (size_t i = 0; i + 1 < k; ++i) {
        grouped = grouped && g[i].count == 4;
      }
    }
    if (grouped && (luhn_valid(d) || d.compare(0, 2, "62") == 0)) {
      return match{kind::card, masked(d, 4, total - 8, total - 4), last.end};
    }
  }
  return std::nullopt;
}

/// Masks the numbers in s[begin, end) and appends the result to `out`.
void mask_numbers(std::string_view s, size_t begin, size_t end, std::string& out,
                  pii_findings& found) {
  size_t i = begin;
  int v = 0;
  while (i < end) {
    if (digit_at(s, i, end, v) == 0) {
      out.push_back(s[i++]);
      continue;
    }
    // Up to max_groups groups joined by single separators, while they could still form a number.
    std::array<group, max_groups> groups;
    size_t n = 0;
    size_t total = 0;
    size_t at = i;
    while (true) {
      groups[n] = parse_group(s, at, end);
      total += groups[n].count;
      ++n;
      const size_t sep = separator_at(s, groups[n - 1].end, end);
      if (n == max_groups || total > max_digits || sep == 0 ||
          digit_at(s, groups[n - 1].end + sep, end, v) == 0) {
        break;
      }
      at = groups[n - 1].end + sep;
    }
    std::optional<match> found_here;
    if (i == 0 || !is_word(s[i - 1])) {
      for (size_t k = n; k > 0 && !found_here; --k) {  // the longest reading wins
        auto m = classify(groups, k);
        // A number glued to an '@' or to the address that follows belongs to it.
        const bool glued = m && m->end == end && end < s.size();
        if (m && !glued && (m->end >= s.size() || (!is_word(s[m->end]) && s[m->end] != '@'))) {
          found_here = std::move(m);
        }
      }
    }
    if (!found_here) {
      out.append(s.substr(groups[0].begin, groups[0].end - groups[0].begin));
      i = groups[0].end;
      continue;
    }
    out += found_here->masked;
    i = found_here->end;
    switch (found_here->what) {
      case kind::phone:
        ++found.phones;
        break;
      case kind::id:
        ++found.ids;
        break;
      case kind::card:
        ++found.cards;
        break;
    }
  }
}

// -- e-mail
// -----------------------------------------------------------------------------------------

// '*' too, so that an address masked before ("a***@example.com") is still seen as one.
bool is_local_char(char c) {
  return is_alnum(c) || c == '*' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool is_domain_char(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

bool valid_domain(std::string_view d) {
  size_t labels = 0;
  std::string_view label;
  while (true) {
    const size_t dot = d.find('.');
    label = d.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    ++labels;
    if (dot == std::string_view::npos) {
      break;
    }
    d.remove_prefix(dot + 1);
  }
  if (labels < 2 || label.size() < 2) {
    return false;
  }
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

constexpr size_t max_domain = 253;  // RFC 1035; also bounds the work per '@'

struct email_span {
  size_t begin, at, end;
};

/// Returns the address around the '@' at `at`, starting no earlier than `floor`. Scans stop at
/// the neighbouring '@' signs, so the whole text is walked a bounded number of times.
std::optional<email_span> email_at(std::string_view s, size_t at, size_t floor) {
  size_t begin = at;
  while (begin > floor && is_local_char(s[begin - 1])) {
    --begin;
  }
  if (begin == at) {
    return std::nullopt;
  }
  size_t end = at + 1;
  const size_t limit = std::min(s.size(), at + 1 + max_domain);
  while (end < limit && is_domain_char(s[end])) {
    ++end;
  }
  // The longest valid domain at the front of what follows the '@': "a@qq.com." ends a sentence,
  // "a@qq.com-13812345678" has a number glued on.
  while (true) {
    while (end > at + 1 && (s[end - 1] == '.' || s[end - 1] == '-')) {
      --end;
    }
    const auto domain = s.substr(at + 1, end - at - 1);
    if (domain.empty()) {
      return std::nullopt;
    }
    if (valid_domain(domain)) {
      return email_span{begin, at, end};
    }
    const size_t cut = domain.find_last_of(".-");
    if (cut == std::string_view::npos) {
      return std::nullopt;
    }
    end = at + 1 + cut;
  }
}

}  // namespace

std::string mask_pii(std::string_view utf8_text, pii_findings& found) {
  found = pii_findings{};
  const std::string_view s = utf8_text;
  std::string out;
  out.reserve(s.size());
  size_t done = 0;  // everything before it is in `out`
  size_t search = 0;
  while ((search = s.find('@', search)) != std::string_view::npos) {
    auto email = email_at(s, search, done);
    if (!email) {
      ++search;
      continue;
    }
    // Addresses first: a QQ mailbox "12345678901@qq.com" is an address, not a phone number.
    mask_numbers(s, done, email->begin, out, found);
    const auto local = s.substr(email->begin, email->at - email->begin);
    if (local.size() == 4 && local.substr(1) == "***") {
      out.append(s.substr(email->begin, email->end - email->begin));  // masked already
    } else {
      out.push_back(local.front());
      out += "***";
      out.append(s.substr(email->at, email->end - email->at));
      ++found.emails;
    }
    done = search = email->end;
  }
  mask_numbers(s, done, s.size(), out, found);
  return out;
}

std::string mask_pii(std::string_view utf8_text) {
  pii_findings ignored;
  return mask_pii(utf8_text, ignored);
}

}  // namespace sb
