import CRMCore

/// Indexes for `starts` / `contains` filters (`TextFilterIndex`): on SQLite a trigram FTS5 table;
/// on PostgreSQL pg_trgm, `crm_fold` (lower case, ё as е) and one GIN index per record table over
/// its folded text. SQLite's search table is rebuilt with prefix indexes for words of 1 to 6
/// characters (terms carry a 13-character workspace tag, so those are prefixes of 14 to 19), so
/// a search sent at every keystroke reads one prefix entry instead of merging every term that
/// starts so. Both tables are filled by a one-off reindex of every workspace.
enum Migration0007TextFilters {
    static let migration = Migration(version: 7, name: "text filter indexes") { dialect in
        switch dialect {
        case .sqlite:
            return [
                "DROP TABLE search_fts",
                "DELETE FROM search_documents",
                """
                CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='', contentless_delete=1,
                  tokenize="unicode61 remove_diacritics 2 tokenchars '_'", prefix='14 15 16 17 18 19')
                """,
                "CREATE VIRTUAL TABLE text_fts USING fts5(body, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')",
                Schema.reindexAllWorkspaces(key: "search.reindex.7", dialect),
            ]
        case .postgres:
            var statements = [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                """
                CREATE OR REPLACE FUNCTION crm_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $$ SELECT translate(lower($1), 'ё', 'е') $$
                """,
            ]
            for entity in BuiltinEntities.all {
                statements.append(
                    "CREATE INDEX \(entity.table)_texts ON \(entity.table) USING gin ((\(TextFilterIndex.expression(of: entity))) gin_trgm_ops)"
                )
            }
            return statements
        }
    }
}
