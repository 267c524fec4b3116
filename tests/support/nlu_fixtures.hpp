#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "actors/conversation/nlu/faq.hpp"
#include "actors/conversation/nlu/intents.hpp"
#include "actors/conversation/nlu/segmenter.hpp"
#include "actors/conversation/nlu/sentiment.hpp"

namespace sb::test {

/// jieba's dictionary where Debian's python3-jieba installs it.
inline constexpr const char* jieba_dictionary = "/usr/lib/python3/dist-packages/jieba/dict.txt";

/// Returns the path of a file in the source tree, e.g. source_file("config/intents.yaml").
std::string source_file(std::string_view relative);

/// Returns a segmenter over jieba's dictionary alone; loaded once per test binary (the load fails
/// the calling test if the dictionary is missing).
const nlu::segmenter& plain_segmenter();

/// Catalog terms (product, category and brand names, as in config/catalog.yaml) for
/// domain_segmenter().
const std::vector<std::string>& sample_catalog_terms();

/// Returns a segmenter as a node builds it: jieba's dictionary plus, as domain words, the words of
/// the shipped intents, lexicon and FAQ and sample_catalog_terms(); loaded once per test binary.
const nlu::segmenter& domain_segmenter();

/// Return the shipped config/intents.yaml, config/lexicon/sentiment.yaml and config/faq.yaml,
/// each loaded once per test binary.
const nlu::intent_model& shipped_intents();
const nlu::lexicon& shipped_lexicon();
const nlu::faq_model& shipped_faq();

/// Returns tokens as "a | b | c", for comparisons whose failures doctest can print.
std::string joined(const std::vector<std::string>& tokens);

}  // namespace sb::test
