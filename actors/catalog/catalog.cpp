#include "actors/catalog/catalog.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>

#include "actors/catalog/product_checks.hpp"

namespace sb {

const product* catalog::find(std::string_view sku) const {
  for (const auto& p : products) {
    if (p.sku == sku) {
      return &p;
    }
  }
  return nullptr;
}

namespace {

constexpr const char* product_keys =
    "sku, name, brand, category, tags, keywords, price, stock, currency, pitch, tiers, "
    "updated_at_ms";

/// Reads one catalog file and stops at its first problem.
class catalog_reader {
 public:
  explicit catalog_reader(const std::string& file) : file_(file) {}

  result<catalog> read(const YAML::Node& root) {
    if (!root.IsMap()) {
      return fail(errc::config_bad_value, root.Mark(), "products", "expected a map with products:");
    }
    std::optional<YAML::Node> list;
    for (auto it = root.begin(); it != root.end(); ++it) {
      // Copies: the iterator hands out a temporary pair, so references to it would dangle.
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      const std::string name = key.IsScalar() ? key.Scalar() : "?";
      if (name != "products") {
        return fail(errc::config_unknown_key, key.Mark(), name, "unknown key (products)");
      }
      if (list) {
        return fail(errc::config_syntax, key.Mark(), name, "set twice");
      }
      list = value;
    }
    if (!list || !list->IsSequence()) {
      return fail(errc::config_bad_value, list ? list->Mark() : root.Mark(), "products",
                  "expected a list of products");
    }
    catalog out;
    std::map<std::string, YAML::Mark> seen_skus;
    size_t index = 0;
    for (const auto& item : *list) {
      const std::string at = "products[" + std::to_string(index++) + "]";
      auto p = read_product(item, at);
      if (!p) {
        return p.err();
      }
      auto [it, inserted] = seen_skus.emplace(p->sku, sku_mark_);
      if (!inserted) {
        return fail(errc::config_bad_value, sku_mark_, at + ".sku",
                    "duplicate SKU \"" + p->sku + "\"; first at line " +
                        std::to_string(it->second.line + 1));
      }
      out.products.push_back(std::move(*p));
    }
    return out;
  }

  // Returns a syntax error from yaml-cpp's exception, located.
  error syntax(const YAML::Exception& e) const {
    return error{errc::config_syntax, where(e.mark) + ": " + e.msg};
  }

 private:
  result<product> read_product(const YAML::Node& item, const std::string& at) {
    if (!item.IsMap()) {
      return fail(errc::config_bad_value, item.Mark(), at, "expected a map of product fields");
    }
    product p;
    std::set<std::string> seen;
    bool has_price = false;
    bool has_stock = false;
    for (auto it = item.begin(); it != item.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      const std::string name = key.IsScalar() ? key.Scalar() : "?";
      std::string path = at;
      path += '.';
      path += name;
      if (!seen.insert(name).second) {
        return fail(errc::config_syntax, key.Mark(), path, "set twice");
      }
      // yaml-cpp puts the mark of a null value at the next token, so point at the key instead.
      const YAML::Mark mark = value.IsNull() ? key.Mark() : value.Mark();
      result<void> ok;
      if (name == "sku") {
        sku_mark_ = mark;
        ok = text(value, mark, path, p.sku, detail::check_sku);
      } else if (name == "name") {
        ok = text(value, mark, path, p.name, nullptr);
        if (ok && p.name.empty()) {
          ok = fail(errc::config_bad_value, mark, path, "must not be empty");
        }
      } else if (name == "brand") {
        ok = text(value, mark, path, p.brand, nullptr);
      } else if (name == "category") {
        ok = text(value, mark, path, p.category, nullptr);
      } else if (name == "pitch") {
        ok = text(value, mark, path, p.pitch, nullptr);
      } else if (name == "currency") {
        ok = text(value, mark, path, p.currency, detail::check_currency);
      } else if (name == "tags") {
        ok = list(value, mark, path, p.tags, nullptr);
      } else if (name == "keywords") {
        ok = list(value, mark, path, p.keywords, nullptr);
      } else if (name == "tiers") {
        ok = list(value, mark, path, p.tiers, detail::check_tier);
      } else if (name == "price") {
        has_price = true;
        ok = number(value, mark, path, p.price);
      } else if (name == "stock") {
        has_stock = true;
        ok = integer(value, mark, path, p.stock, detail::check_stock);
      } else if (name == "updated_at_ms") {
        ok = integer(value, mark, path, p.updated_at_ms, detail::check_stock);
      } else {
        ok = fail(errc::config_unknown_key, key.Mark(), path,
                  std::string{"unknown key ("} + product_keys + ")");
      }
      if (!ok) {
        return ok.err();
      }
    }
    for (const char* required : {"sku", "name"}) {
      if (seen.count(required) == 0) {
        return fail(errc::config_bad_value, item.Mark(), at + "." + required, "required");
      }
    }
    if (!has_price || !has_stock) {
      return fail(errc::config_bad_value, item.Mark(), at + (has_price ? ".stock" : ".price"),
                  "required");
    }
    return p;
  }

  using check_fn = std::optional<std::string> (*)(std::string_view);

  result<void> text(const YAML::Node& value, const YAML::Mark& mark, const std::string& path,
                    std::string& out, check_fn check) const {
    if (!value.IsScalar()) {
      return fail(errc::config_bad_value, mark, path, "expected text");
    }
    out = value.Scalar();
    if (check) {
      if (auto why = check(out)) {
        return fail(errc::config_bad_value, mark, path, *why);
      }
    }
    return {};
  }

  result<void> list(const YAML::Node& value, const YAML::Mark& mark, const std::string& path,
                    std::vector<std::string>& out, check_fn check) const {
    if (value.IsNull()) {
      return {};  // "tags:" with nothing after it is an empty list
    }
    if (!value.IsSequence()) {
      return fail(errc::config_bad_value, mark, path, "expected a list of text");
    }
    for (const auto& item : value) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        return fail(errc::config_bad_value, item.Mark(), path, "expected non-empty text");
      }
      if (check) {
        if (auto why = check(item.Scalar())) {
          return fail(errc::config_bad_value, item.Mark(), path, *why);
        }
      }
      out.push_back(item.Scalar());
    }
    return {};
  }

  result<void> number(const YAML::Node& value, const YAML::Mark& mark, const std::string& path,
                      double& out) const {
    auto n = value.IsScalar() ? detail::parse_number(value.Scalar()) : std::nullopt;
    if (!n) {
      return fail(errc::config_bad_value, mark, path, "expected a number");
    }
    if (auto why = detail::check_price(*n)) {
      return fail(errc::config_bad_value, mark, path, *why);
    }
    out = *n;
    return {};
  }

  result<void> integer(const YAML::Node& value, const YAML::Mark& mark, const std::string& path,
                       int64_t& out, std::optional<std::string> (*check)(int64_t)) const {
    auto n = value.IsScalar() ? detail::parse_integer(value.Scalar()) : std::nullopt;
    if (!n) {
      return fail(errc::config_bad_value, mark, path, "expected a whole number");
    }
    if (auto why = check(*n)) {
      return fail(errc::config_bad_value, mark, path, *why);
    }
    out = *n;
    return {};
  }

  // Returns "file:line:column" (1-based) for a yaml-cpp mark (0-based).
  std::string where(const YAML::Mark& mark) const {
    if (mark.is_null()) {
      return file_;
    }
    return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }

  error fail(errc code, const YAML::Mark& mark, const std::string& key,
             const std::string& why) const {
    return error{code, where(mark) + ": " + key + ": " + why};
  }

  const std::string& file_;
  YAML::Mark sku_mark_;  // where the SKU of the product being read is, for duplicate reports
};

}  // namespace

result<catalog> load_catalog(const std::string& path) {
  catalog_reader reader{path};
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return error{errc::config_io, path + ": cannot read the catalog file"};
  } catch (const YAML::Exception& e) {
    return reader.syntax(e);
  }
  try {
    return reader.read(root);
  } catch (const YAML::Exception& e) {
    return reader.syntax(e);  // yaml-cpp throws on some malformed nodes while walking them
  }
}

}  // namespace sb
