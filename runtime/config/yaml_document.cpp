#include "runtime/config/yaml_document.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <new>
#include <sstream>

#include "runtime/util/utf8.hpp"

namespace seerflow::config {
namespace {

// Thrown from the event handler to stop the parser once a limit is hit; the builder has already
// recorded the error.
struct limit_reached {};

class tree_builder final : public YAML::EventHandler {
 public:
  tree_builder(const std::string& origin, const yaml_limits& limits,
               std::vector<config_error>& errors)
      : origin_(origin), limits_(limits), errors_(errors) {}

  yaml_node take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { add(yaml_node::kind::null, mark); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    yaml_node* n = add(yaml_node::kind::alias, mark);
    if (anchor >= 1 && anchor <= anchors_.size()) n->text = anchors_[anchor - 1];
  }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    add(yaml_node::kind::scalar, mark)->text = value;
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(yaml_node::kind::sequence, mark);
  }
  void OnSequenceEnd() override { open_.pop_back(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(yaml_node::kind::mapping, mark);
  }
  void OnMapEnd() override { open_.pop_back(); }

  // yaml-cpp numbers anchors 1, 2, ... in the order it announces them here.
  void OnAnchor(const YAML::Mark&, const std::string& name) override { anchors_.push_back(name); }

 private:
  yaml_node* add(yaml_node::kind k, const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) {
      fail(mark, "the document has more than " + std::to_string(limits_.max_nodes) +
                     " YAML nodes; a Seerflow config is far smaller");
    }
    yaml_node* n = nullptr;
    if (open_.empty()) {
      n = &root_;
    } else {
      open_.back()->items.emplace_back();
      n = &open_.back()->items.back();
    }
    n->type = k;
    n->line = mark.line + 1;
    n->column = mark.column + 1;
    return n;
  }

  void open(yaml_node::kind k, const YAML::Mark& mark) {
    if (open_.size() >= limits_.max_depth) {
      fail(mark, "collections are nested more than " + std::to_string(limits_.max_depth) +
                     " levels deep");
    }
    // Only the innermost open collection grows, so pointers to the outer ones stay valid.
    open_.push_back(add(k, mark));
  }

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
    errors_.push_back({{origin_, mark.line + 1, mark.column + 1}, "", std::move(message)});
    throw limit_reached{};
  }

  const std::string& origin_;
  const yaml_limits& limits_;
  std::vector<config_error>& errors_;
  yaml_node root_;
  std::vector<yaml_node*> open_;
  std::vector<std::string> anchors_;
  std::size_t nodes_ = 0;
};

// 1-based line and column of byte `offset` (columns count bytes, as yaml-cpp's do for ASCII).
location position_of(std::string_view text, std::size_t offset, const std::string& origin) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {origin, line, column};
}

std::string hex_byte(char c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  const auto b = static_cast<unsigned char>(c);
  return std::string{'0', 'x', digits[b >> 4], digits[b & 0xF]};
}

}  // namespace

std::string_view describe_kind(yaml_node::kind k) {
  switch (k) {
    case yaml_node::kind::null:
      return "an empty value";
    case yaml_node::kind::scalar:
      return "a scalar";
    case yaml_node::kind::sequence:
      return "a sequence";
    case yaml_node::kind::mapping:
      return "a mapping";
    case yaml_node::kind::alias:
      return "an alias";
  }
  return "an unknown node";
}

yaml_document parse_yaml_document(std::string_view text, const std::string& origin,
                                  const yaml_limits& limits) {
  yaml_document doc;
  if (text.size() > limits.max_bytes) {
    doc.errors.push_back({{origin, 0, 0},
                          "",
                          "the file is larger than " + std::to_string(limits.max_bytes) +
                              " bytes, the most a config file may hold"});
    return doc;
  }
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    doc.errors.push_back({position_of(text, nul, origin), "",
                          "the file contains a NUL byte: it is binary, not YAML text"});
    return doc;
  }
  if (util::looks_binary(text)) {
    doc.errors.push_back(
        {{origin, 0, 0}, "", "the file is mostly control characters: it is binary, not YAML text"});
    return doc;
  }
  if (const std::size_t valid = util::valid_utf8_prefix(text); valid != text.size()) {
    doc.errors.push_back(
        {position_of(text, valid, origin), "",
         "invalid UTF-8 (byte " + hex_byte(text[valid]) + "): a config file must be UTF-8 text"});
    return doc;
  }
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    tree_builder builder(origin, limits, doc.errors);
    if (!parser.HandleNextDocument(builder)) return doc;
    doc.root = builder.take_root();
    // Reading on finds where a second document starts, for the error's position.
    tree_builder rest(origin, limits, doc.errors);
    if (parser.HandleNextDocument(rest)) {
      yaml_node second = rest.take_root();
      doc.errors.push_back({{origin, second.line, second.column},
                            "",
                            "the file holds more than one YAML document ('---'); a config "
                            "file is a single document"});
    }
  } catch (const limit_reached&) {
    // The builder recorded the error; a first document read in full is still checked.
  } catch (const YAML::Exception& e) {
    location where{origin, 0, 0};
    if (!e.mark.is_null()) where = {origin, e.mark.line + 1, e.mark.column + 1};
    doc.errors.push_back({where, "", "invalid YAML: " + e.msg});
  } catch (const std::bad_alloc&) {
    doc.errors.push_back({{origin, 0, 0}, "", "out of memory while parsing the file"});
  } catch (const std::exception& e) {
    doc.errors.push_back({{origin, 0, 0}, "", std::string("invalid YAML: ") + e.what()});
  }
  return doc;
}

}  // namespace seerflow::config
