#pragma once
// The PostgreSQL store_reader: the same filters as the SQLite query functions
// (runtime/query/*_query.cpp), written for PostgreSQL, with the same rows in the same order
// (text is ordered by byte, COLLATE "C", as SQLite does). A search is FTS5 syntax translated to
// a tsquery (fts_to_tsquery), matched against the events' tsvector.
#include <memory>
#include <optional>
#include <string>

#include "runtime/query/store_reader.hpp"

namespace seerflow::store::pg {

class connection;

class pg_reader final : public query::store_reader {
 public:
  // Connects and checks the schema: a database older than this build (never migrated by an
  // agent) or newer is refused with a clear store_error.
  explicit pg_reader(const std::string& url);
  ~pg_reader() override;

  std::size_t events(const query::event_filter& f,
                     const query::row_callback<query::event_row>& on_row) override;
  std::size_t alerts(const query::alert_filter& f,
                     const query::row_callback<query::alert_row>& on_row) override;
  std::size_t templates(const query::template_filter& f,
                        const query::row_callback<query::template_row>& on_row) override;
  std::size_t rules(const query::rule_filter& f,
                    const query::row_callback<query::rule_row>& on_row) override;
  std::size_t graph_edges(const query::graph_filter& f,
                          const query::row_callback<query::graph_edge_row>& on_row) override;
  std::size_t entities(const std::string& text, std::size_t limit,
                       const query::row_callback<query::entity_row>& on_row) override;
  prune_result prune_templates(const prune_options& o) override;
  std::string location() const override;

 private:
  std::unique_ptr<connection> conn_;
};

// FTS5 query syntax (words, "a phrase", prefix*, AND/OR/NOT, parentheses) as tsquery text for
// to_tsquery('simple', ...): each word and phrase quoted, so that nothing in it is tsquery
// syntax. nullopt for an unbalanced quote or parenthesis.
std::optional<std::string> fts_to_tsquery(std::string_view fts);

}  // namespace seerflow::store::pg
