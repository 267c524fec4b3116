#include "runtime/gateway/channels/wechat_xml.hpp"

#include <array>
#include <charconv>
#include <optional>

#include <pugixml.hpp>

namespace sb::channels {

namespace {

error malformed(std::string message) {
  return {errc::decode_malformed, "WeChat XML: " + std::move(message)};
}

// pugixml never expands entities beyond the five predefined ones and character references, and
// never fetches anything: there is no external-entity or entity-expansion attack to fear. A
// DOCTYPE is still refused, since WeChat never sends one. Comments and processing instructions
// are skipped.
result<pugi::xml_node> load(pugi::xml_document& doc, std::string_view xml) {
  if (xml.size() > max_wechat_xml_bytes) {
    return malformed("body of " + std::to_string(xml.size()) + " bytes exceeds the limit of " +
                     std::to_string(max_wechat_xml_bytes));
  }
  if (xml.find('\0') != std::string_view::npos) {
    return malformed("body contains a NUL byte");
  }
  constexpr unsigned options =
      pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_doctype;
  auto parsed = doc.load_buffer(xml.data(), xml.size(), options, pugi::encoding_utf8);
  if (!parsed) {
    return malformed(std::string{parsed.description()} + " at offset " +
                     std::to_string(parsed.offset));
  }
  int elements = 0;
  for (auto node : doc.children()) {
    if (node.type() == pugi::node_doctype) {
      return malformed("a DOCTYPE is not allowed");
    }
    elements += node.type() == pugi::node_element ? 1 : 0;
  }
  auto root = doc.document_element();
  if (elements != 1 || std::string_view{root.name()} != "xml") {
    return malformed("the document must be one <xml> element");
  }
  return root;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n";
  auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// The text of an element: its text and CDATA children joined (a "]]>" in a value arrives split
// across two CDATA sections).
result<std::string> text_of(pugi::xml_node element) {
  std::string out;
  for (auto child : element.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      out += child.value();
    } else if (child.type() == pugi::node_element) {
      return malformed(std::string{"<"} + element.name() + "> holds elements, expected text");
    }
  }
  return out;
}

// The elements of <xml> that parse_inbound reads, in the order of wechat_inbound's fields.
constexpr std::array<std::string_view, 8> fields = {
    "ToUserName", "FromUserName", "MsgType", "Content", "Event", "EventKey", "MsgId", "CreateTime"};
enum field : std::size_t {
  to_user,
  from_user,
  msg_type,
  content,
  event,
  event_key,
  msg_id,
  create_time
};

result<std::array<std::optional<std::string>, fields.size()>> read_fields(pugi::xml_node root) {
  std::array<std::optional<std::string>, fields.size()> values;
  for (auto child : root.children()) {
    if (child.type() != pugi::node_element) {
      continue;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] != child.name()) {
        continue;
      }
      if (values[i]) {
        return malformed("<" + std::string{fields[i]} + "> appears twice");
      }
      auto text = text_of(child);
      if (!text) {
        return text.err();
      }
      // Content keeps its whitespace; ids and names do not carry any.
      values[i] = i == content ? std::move(*text) : std::string{trim(*text)};
    }
  }
  return values;
}

result<int64_t> parse_time(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) {
    return malformed("<CreateTime> must be a non-negative integer");
  }
  return value;
}

void append_cdata(std::string& out, std::string_view value) {
  out += "<![CDATA[";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char ch = value[i];
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
      continue;  // not allowed anywhere in XML 1.0, not even in CDATA
    }
    if (value.compare(i, 3, "]]>") == 0) {
      out += "]]]]><![CDATA[>";  // ends the section between "]]" and ">"
      i += 2;
      continue;
    }
    out += ch;
  }
  out += "]]>";
}

void append_element(std::string& out, std::string_view name, std::string_view value) {
  out.append("<").append(name).append(">");
  append_cdata(out, value);
  out.append("</").append(name).append(">");
}

}  // namespace

result<wechat_inbound> parse_inbound(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml);
  if (!root) {
    return root.err();
  }
  auto values = read_fields(*root);
  if (!values) {
    return values.err();
  }
  auto& v = *values;
  for (auto required : {to_user, from_user, create_time, msg_type}) {
    if (!v[required] || v[required]->empty()) {
      return malformed("<" + std::string{fields[required]} + "> is missing or empty");
    }
  }
  auto time = parse_time(*v[create_time]);
  if (!time) {
    return time.err();
  }
  wechat_inbound msg;
  msg.to_user = std::move(*v[to_user]);
  msg.from_user = std::move(*v[from_user]);
  msg.msg_type = std::move(*v[msg_type]);
  msg.create_time = *time;
  msg.content = v[content].value_or("");
  msg.event = v[event].value_or("");
  msg.event_key = v[event_key].value_or("");
  msg.msg_id = v[msg_id].value_or("");
  if (msg.msg_type == "text" && (!v[content] || msg.msg_id.empty())) {
    return malformed("a text message needs <Content> and <MsgId>");
  }
  if (msg.msg_type == "event" && msg.event.empty()) {
    return malformed("an event message needs <Event>");
  }
  if (msg.event == "CLICK" && msg.event_key.empty()) {
    return malformed("a CLICK event needs <EventKey>");
  }
  return msg;
}

result<std::string> extract_encrypt(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml);
  if (!root) {
    return root.err();
  }
  std::optional<std::string> encrypt;
  for (auto child : root->children("Encrypt")) {
    if (encrypt) {
      return malformed("<Encrypt> appears twice");
    }
    auto text = text_of(child);
    if (!text) {
      return text.err();
    }
    encrypt = std::string{trim(*text)};
  }
  if (!encrypt || encrypt->empty()) {
    return malformed("<Encrypt> is missing or empty");
  }
  return std::move(*encrypt);
}

std::string build_text_reply(std::string_view to_user, std::string_view from_user,
                             int64_t create_time, std::string_view content) {
  std::string out = "<xml>";
  append_element(out, "ToUserName", to_user);
  append_element(out, "FromUserName", from_user);
  out += "<CreateTime>" + std::to_string(create_time) + "</CreateTime>";
  append_element(out, "MsgType", "text");
  append_element(out, "Content", content);
  out += "</xml>";
  return out;
}

std::string build_encrypted_reply(std::string_view encrypt, std::string_view msg_signature,
                                  std::string_view timestamp, std::string_view nonce) {
  std::string out = "<xml>";
  append_element(out, "Encrypt", encrypt);
  append_element(out, "MsgSignature", msg_signature);
  // WeChat's samples write TimeStamp as bare text (it is digits); escaped all the same.
  out += "<TimeStamp>";
  for (char ch : timestamp) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += ch;
    }
  }
  out += "</TimeStamp>";
  append_element(out, "Nonce", nonce);
  out += "</xml>";
  return out;
}

}  // namespace sb::channels
