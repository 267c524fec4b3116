#include "actors/conversation/nlu/segmenter.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <system_error>

namespace sb::nlu {

namespace {

// -- UTF-8 ----------------------------------------------------------------------------------------

constexpr char32_t invalid_byte = 0xFFFFFFFF;

// Returns the code point starting at s[i] and sets `length`; a byte that does not start a
// well-formed sequence (stray continuation, overlong form, surrogate, beyond U+10FFFF, truncated)
// is invalid_byte of length 1, so decoding always advances.
char32_t decode(std::string_view s, size_t i, size_t& length) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto b0 = byte(i);
  length = 1;
  if (b0 < 0x80) {
    return b0;
  }
  size_t n = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 1, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 2, cp = b0 & 0x0F;
    lo = b0 == 0xE0 ? 0xA0 : 0x80;
    hi = b0 == 0xED ? 0x9F : 0xBF;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 3, cp = b0 & 0x07;
    lo = b0 == 0xF0 ? 0x90 : 0x80;
    hi = b0 == 0xF4 ? 0x8F : 0xBF;
  } else {
    return invalid_byte;
  }
  if (i + n >= s.size()) {
    return invalid_byte;
  }
  for (size_t k = 1; k <= n; ++k) {
    const auto b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
      return invalid_byte;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  length = n + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// -- folding --------------------------------------------------------------------------------------

// Returns the code point as it is compared: full-width ASCII as ASCII (shoppers on phones often
// type "１０" or "Ａ1002"), curly apostrophes as straight ones, ASCII and Latin-1 lower-cased.
char32_t normalize(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) {
    c -= 0xFEE0;
  } else if (c == 0x3000) {
    c = ' ';
  } else if (c == 0x2018 || c == 0x2019) {
    c = '\'';
  }
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) {
    c += 0x20;
  }
  return c;
}

enum class char_class {
  separator,  // dropped; ends the current word and block
  ignorable,  // dropped without ending anything (combining marks, joiners, emoji modifiers)
  letter,     // Latin letters: form runs with digits
  digit,
  connector,  // kept inside a Latin run between the right neighbours ("don't", "3.5", "wi-fi")
  other,      // Chinese and every other script or symbol: one unit per character
};

char_class classify(char32_t c) {
  if (c == invalid_byte) {
    return char_class::separator;
  }
  if (c < 0x80) {
    if (c >= 'a' && c <= 'z') {
      return char_class::letter;
    }
    if (c >= '0' && c <= '9') {
      return char_class::digit;
    }
    if (c == '.' || c == '-' || c == '_' || c == '&' || c == '\'') {
      return char_class::connector;
    }
    return char_class::separator;
  }
  if (c == 0xAD || (c >= 0x300 && c <= 0x36F) || c == 0x200C || c == 0x200D || c == 0x2060 ||
      (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || (c >= 0x1F3FB && c <= 0x1F3FF) ||
      (c >= 0xE0100 && c <= 0xE01EF)) {
    return char_class::ignorable;
  }
  if (c < 0xC0 || c == 0xD7 || c == 0xF7) {
    return char_class::separator;  // C1 controls and Latin-1 punctuation, no-break space
  }
  if (c <= 0x24F) {
    return char_class::letter;
  }
  if ((c >= 0x2000 && c <= 0x206F) || (c >= 0x2E00 && c <= 0x2E7F) ||
      (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE1F) ||
      (c >= 0xFE30 && c <= 0xFE6F) || c == 0xFF00 || (c >= 0xFF5F && c <= 0xFF65) ||
      (c >= 0xFFE0 && c <= 0xFFFF) || (c >= 0xE000 && c <= 0xF8FF) || c == 0x1680) {
    return char_class::separator;
  }
  return char_class::other;
}

struct classified {
  char32_t cp;
  char_class cls;
};

// A run of text between separators: its folded bytes and the byte offsets where its units start,
// plus the end (n units, n + 1 bounds). A unit is a Latin run or one other character.
struct block {
  std::string text;
  std::vector<uint32_t> bounds;
};

struct scanned {
  std::vector<block> blocks;
  size_t separators = 0;  // code points and invalid bytes dropped as separators
};

bool is_alnum(char_class c) {
  return c == char_class::letter || c == char_class::digit;
}

// Whether the connector at k stays inside its Latin run, judged by its neighbours.
bool keeps_connector(const std::vector<classified>& cps, size_t k) {
  if (k == 0 || k + 1 >= cps.size()) {
    return false;
  }
  const auto prev = cps[k - 1].cls;
  const auto next = cps[k + 1].cls;
  switch (cps[k].cp) {
    case '.':
      return prev == char_class::digit && next == char_class::digit;
    case '\'':
      return prev == char_class::letter && next == char_class::letter;
    default:
      return is_alnum(prev) && is_alnum(next);
  }
}

scanned scan(std::string_view utf8) {
  std::vector<classified> cps;
  cps.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    size_t length = 1;
    const auto cp = normalize(decode(utf8, i, length));
    i += length;
    const auto cls = classify(cp);
    if (cls != char_class::ignorable) {
      cps.push_back({cp, cls});
    }
  }
  scanned out;
  block current;
  bool in_run = false;
  const auto end_block = [&] {
    in_run = false;
    if (!current.bounds.empty()) {
      current.bounds.push_back(static_cast<uint32_t>(current.text.size()));
      out.blocks.push_back(std::move(current));
      current = block{};
    }
  };
  for (size_t k = 0; k < cps.size(); ++k) {
    const auto [cp, cls] = cps[k];
    switch (cls) {
      case char_class::letter:
      case char_class::digit:
        if (!in_run) {
          current.bounds.push_back(static_cast<uint32_t>(current.text.size()));
          in_run = true;
        }
        append_utf8(current.text, cp);
        break;
      case char_class::connector:
        if (in_run && keeps_connector(cps, k)) {
          append_utf8(current.text, cp);
        } else {
          ++out.separators;
          end_block();
        }
        break;
      case char_class::other:
        in_run = false;
        current.bounds.push_back(static_cast<uint32_t>(current.text.size()));
        append_utf8(current.text, cp);
        break;
      default:
        ++out.separators;
        end_block();
        break;
    }
  }
  end_block();
  return out;
}

// Folds a dictionary word without dropping anything; most words need no change, so they are only
// decoded when they contain an ASCII capital or a lead byte of Latin-1 or full-width forms.
bool normalize_word(std::string_view word, std::string& out) {
  const bool plain = std::none_of(word.begin(), word.end(), [](char ch) {
    const auto b = static_cast<unsigned char>(ch);
    return (b >= 'A' && b <= 'Z') || b == 0xC3 || b == 0xEF || b == 0xE2 || b == 0xE3;
  });
  if (plain) {
    // Still reject broken UTF-8, which a hand-edited dictionary may contain.
    for (size_t i = 0; i < word.size();) {
      size_t length = 1;
      if (decode(word, i, length) == invalid_byte) {
        return false;
      }
      i += length;
    }
    out.append(word);
    return true;
  }
  for (size_t i = 0; i < word.size();) {
    size_t length = 1;
    const auto cp = decode(word, i, length);
    if (cp == invalid_byte) {
      return false;
    }
    append_utf8(out, normalize(cp));
    i += length;
  }
  return true;
}

result<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return error{errc::config_io,
                 path + ": cannot open: " + std::generic_category().message(errno)};
  }
  std::string data;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    data.append(buffer, n);
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    return error{errc::config_io, path + ": cannot read"};
  }
  return data;
}

// A dictionary word while loading: its bytes in the staging string and its frequency.
struct staged {
  uint32_t offset;
  uint32_t length;
  int64_t freq;
};

}  // namespace

// -- loading --------------------------------------------------------------------------------------

result<segmenter> segmenter::load(const std::string& dict_path,
                                  const std::vector<std::pair<std::string, int64_t>>& extra_words) {
  auto data = read_file(dict_path);
  if (!data) {
    return data.err();
  }
  std::string_view text{*data};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  std::string stage;
  stage.reserve(text.size() / 2);
  std::vector<staged> words;
  words.reserve(text.size() / 12);
  int64_t total = 0;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto eol = text.find('\n');
    auto line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const auto is_space = [](char ch) { return ch == ' ' || ch == '\t'; };
    const auto skip = [&](std::string_view s) {
      while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
      }
      return s;
    };
    line = skip(line);
    if (line.empty()) {
      continue;
    }
    const auto bad = [&](const std::string& reason) {
      return error{errc::config_bad_value,
                   dict_path + ":" + std::to_string(line_no) + ": " + reason};
    };
    const auto word_end = std::find_if(line.begin(), line.end(), is_space) - line.begin();
    const auto word = line.substr(0, static_cast<size_t>(word_end));
    auto rest = skip(line.substr(static_cast<size_t>(word_end)));
    int64_t freq = -1;
    const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), freq);
    const auto used = static_cast<size_t>(ptr - rest.data());
    if (ec != std::errc{} || freq < 0 || (used < rest.size() && !is_space(rest[used]))) {
      return bad("expected \"word frequency [tag]\" with a whole frequency of 0 or more");
    }
    const auto offset = stage.size();
    if (!normalize_word(word, stage)) {
      return bad("the word is not valid UTF-8");
    }
    if (total > std::numeric_limits<int64_t>::max() - freq) {
      return bad("the frequencies add up to more than 2^63");
    }
    total += freq;
    words.push_back(
        {static_cast<uint32_t>(offset), static_cast<uint32_t>(stage.size() - offset), freq});
  }
  if (stage.size() > std::numeric_limits<uint32_t>::max()) {
    return error{errc::config_bad_value, dict_path + ": dictionary larger than 4 GiB"};
  }
  std::vector<std::pair<std::string, int64_t>> extras;
  for (const auto& [word, freq] : extra_words) {
    const auto bad = [w = &word](const std::string& reason) {
      return error{errc::invalid_argument, "extra word \"" + *w + "\": " + reason};
    };
    if (freq < 0) {
      return bad("frequency must be 0 (suggested) or more, not " + std::to_string(freq));
    }
    if (!is_single_word(word)) {
      return bad("not one word (empty, invalid UTF-8, or contains a space or punctuation)");
    }
    extras.emplace_back(fold(word), freq);
  }

  const auto view = [&](const staged& w) {
    return std::string_view{stage}.substr(w.offset, w.length);
  };
  std::sort(words.begin(), words.end(),
            [&](const staged& a, const staged& b) { return view(a) < view(b); });

  segmenter seg;
  const double log_total = std::log(static_cast<double>(std::max<int64_t>(total, 1)));
  seg.unknown_log_prob_ = static_cast<float>(-log_total);
  seg.words_.reserve(stage.size());
  seg.entries_.reserve(words.size() + extras.size());
  for (size_t i = 0; i < words.size();) {
    // Case-folding can make two lines one word ("4S店", "4s店"): the most frequent counts.
    int64_t freq = 0;
    size_t j = i;
    for (; j < words.size() && view(words[j]) == view(words[i]); ++j) {
      freq = std::max(freq, words[j].freq);
    }
    const auto word = view(words[i]);
    const double log_freq = std::log(static_cast<double>(std::max<int64_t>(freq, 1)));
    seg.entries_.push_back({static_cast<uint32_t>(seg.words_.size()),
                            static_cast<uint32_t>(word.size()),
                            static_cast<float>(log_freq - log_total)});
    seg.words_ += word;
    i = j;
  }
  seg.add_extra_words(std::move(extras), total);
  seg.words_.shrink_to_fit();
  seg.entries_.shrink_to_fit();
  return seg;
}

void segmenter::add_extra_words(std::vector<std::pair<std::string, int64_t>> extras,
                                int64_t total) {
  // A word the dictionary has keeps its frequency: raised, it would swallow its neighbours (a
  // boosted 没有 cuts 有没有 into 有 + 没有). The others get theirs, or the suggested one, which
  // is computed against the dictionary alone so that the order of extra words does not matter.
  std::vector<std::pair<std::string, int64_t>> added;
  for (auto& [word, freq] : extras) {
    if (contains(word)) {
      continue;
    }
    if (freq == suggested_frequency) {
      const double tie = std::exp(best_log_prob(word) + std::log(static_cast<double>(total)));
      freq = static_cast<int64_t>(std::ceil(2.0 * std::max(tie, 1.0)));
    }
    added.emplace_back(std::move(word), freq);
  }
  // Stable, so that of two equal words the one given last counts.
  std::stable_sort(added.begin(), added.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, int64_t>> unique;
  for (auto& a : added) {
    if (!unique.empty() && unique.back().first == a.first) {
      unique.back().second = a.second;
    } else {
      unique.push_back(std::move(a));
    }
  }
  int64_t top = std::max<int64_t>(total, 1);
  for (const auto& u : unique) {
    top = std::max(top, u.second);
  }
  // Extra words beyond the dictionary's total would get a probability above 1 and make longer
  // paths score higher; the total grows to the largest frequency instead.
  const double log_top = std::log(static_cast<double>(top));
  const auto shift =
      static_cast<float>(std::log(static_cast<double>(std::max<int64_t>(total, 1))) - log_top);
  if (shift != 0.0F) {
    for (auto& e : entries_) {
      e.log_prob += shift;
    }
    unknown_log_prob_ += shift;
  }
  size_t bytes = words_.size();
  for (const auto& u : unique) {
    bytes += u.first.size();
  }
  words_.reserve(bytes);
  const auto middle = static_cast<std::ptrdiff_t>(entries_.size());
  for (const auto& [word, freq] : unique) {
    entries_.push_back({static_cast<uint32_t>(words_.size()), static_cast<uint32_t>(word.size()),
                        static_cast<float>(std::log(static_cast<double>(freq)) - log_top)});
    words_ += word;
  }
  std::inplace_merge(entries_.begin(), entries_.begin() + middle, entries_.end(),
                     [&](const entry& a, const entry& b) { return word_of(a) < word_of(b); });
}

size_t segmenter::memory_bytes() const noexcept {
  return words_.capacity() + entries_.capacity() * sizeof(entry);
}

bool segmenter::contains(std::string_view word) const {
  const auto folded = fold(word);
  const auto it = std::lower_bound(
      entries_.begin(), entries_.end(), folded,
      [&](const entry& e, const std::string& w) { return word_of(e) < std::string_view{w}; });
  return it != entries_.end() && word_of(*it) == folded;
}

// -- cutting --------------------------------------------------------------------------------------

std::vector<std::string> segmenter::cut(std::string_view utf8) const {
  std::vector<std::string> out;
  for (const auto& b : scan(utf8).blocks) {
    cut_block(b.text, b.bounds, out);
  }
  return out;
}

void segmenter::route(std::string_view text, const std::vector<uint32_t>& bounds,
                      std::vector<double>& best, std::vector<size_t>& end) const {
  const size_t n = bounds.size() - 1;
  // best[i]: the highest log probability of units i..n; end[i]: where the first word of that
  // path ends. Filled from the right, as each choice depends on the rest of the sentence.
  best.assign(n + 1, 0.0);
  end.assign(n, 0);
  for (size_t i = n; i-- > 0;) {
    best[i] = unknown_log_prob_ + best[i + 1];
    end[i] = i + 1;
    auto lo = entries_.begin();
    auto hi = entries_.end();
    for (size_t j = i + 1; j <= n; ++j) {
      const auto prefix = text.substr(bounds[i], bounds[j] - bounds[i]);
      // The words starting with `prefix` are one range of the sorted array, and each longer
      // prefix narrows the range of the shorter one.
      lo = std::lower_bound(lo, hi, prefix,
                            [&](const entry& e, std::string_view p) { return word_of(e) < p; });
      hi = std::partition_point(lo, hi, [&](const entry& e) {
        return word_of(e).compare(0, prefix.size(), prefix) == 0;
      });
      if (lo == hi) {
        break;
      }
      if (word_of(*lo).size() == prefix.size()) {
        const double score = lo->log_prob + best[j];
        // On a tie the longer word wins, as in jieba.
        if (score > best[i] || (score == best[i] && j > end[i])) {
          best[i] = score;
          end[i] = j;
        }
      }
    }
  }
}

void segmenter::cut_block(std::string_view text, const std::vector<uint32_t>& bounds,
                          std::vector<std::string>& out) const {
  std::vector<double> best;
  std::vector<size_t> end;
  route(text, bounds, best, end);
  for (size_t i = 0; i + 1 < bounds.size(); i = end[i]) {
    out.emplace_back(text.substr(bounds[i], bounds[end[i]] - bounds[i]));
  }
}

double segmenter::best_log_prob(std::string_view word) const {
  double sum = 0;
  std::vector<double> best;
  std::vector<size_t> end;
  for (const auto& b : scan(word).blocks) {
    route(b.text, b.bounds, best, end);
    sum += best.front();
  }
  return sum;
}

// -- free functions -------------------------------------------------------------------------------

std::string fold(std::string_view utf8) {
  std::string out;
  for (const auto& b : scan(utf8).blocks) {
    out += b.text;
  }
  return out;
}

bool is_single_word(std::string_view word) {
  const auto s = scan(word);
  return s.blocks.size() == 1 && s.separators == 0;
}

std::vector<std::pair<std::string, int64_t>> as_domain_words(const std::vector<std::string>& words,
                                                             int64_t frequency) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& w : words) {
    const auto s = scan(w);
    if (s.blocks.size() == 1 && s.separators == 0 && s.blocks.front().bounds.size() > 2) {
      out.emplace_back(s.blocks.front().text, frequency);
    }
  }
  return out;
}

}  // namespace sb::nlu
