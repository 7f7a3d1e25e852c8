import CRMCore

/// Indexes for `starts` / `contains` filters (`TextFilterIndex`): on SQLite a trigram FTS5 table
/// filled by a one-off reindex of every workspace; on PostgreSQL pg_trgm, `crm_fold` (lower case,
/// ё as е) and one GIN index per record table over its folded text.
enum Migration0007TextFilters {
    static let migration = Migration(version: 7, name: "text filter indexes") { dialect in
        switch dialect {
        case .sqlite:
            return [
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
