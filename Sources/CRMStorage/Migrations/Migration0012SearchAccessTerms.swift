import CRMCore

/// Search documents carry who may find them (`SearchAccess`, decision 0009): SQLite's
/// `search_fts` gains an `access` column (and `search_documents` the same text, read per
/// document when a caller has many terms), PostgreSQL's `search_documents` an `access` text that
/// its tsvector indexes with the terms, and `crm_search_documents` takes the caller's access
/// terms as a second tsquery. Every workspace's documents are rebuilt by a one-off reindex (on
/// SQLite the FTS tables are created empty; the filter index goes with them, since document ids
/// start again).
enum Migration0012SearchAccessTerms {
    static let migration = Migration(version: 12, name: "search access terms") { dialect in
        switch dialect {
        case .sqlite:
            return [
                "DROP TABLE search_fts",
                "DROP TABLE text_fts",
                "DELETE FROM search_documents",
                "ALTER TABLE search_documents ADD COLUMN access TEXT NOT NULL DEFAULT ''",
                """
                CREATE VIRTUAL TABLE search_fts USING fts5(terms, access, content='', contentless_delete=1,
                  tokenize="unicode61 remove_diacritics 2 tokenchars '_'", prefix='14 15 16 17 18 19')
                """,
                "CREATE VIRTUAL TABLE text_fts USING fts5(body, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')",
                Schema.reindexAllWorkspaces(key: "search.reindex.12", dialect),
            ]
        case .postgres:
            return [
                "ALTER TABLE search_documents ADD COLUMN access TEXT NOT NULL DEFAULT ''",
                "DROP INDEX search_documents_tsv",
                "ALTER TABLE search_documents DROP COLUMN tsv",
                """
                ALTER TABLE search_documents ADD COLUMN tsv tsvector
                  GENERATED ALWAYS AS (to_tsvector('simple', terms || ' ' || access)) STORED
                """,
                "CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv)",
                "DROP FUNCTION crm_search_documents(text, text, bigint)",
                """
                CREATE FUNCTION crm_search_documents(query text, access text, entities text, cap bigint)
                RETURNS TABLE (doc_entity text, doc_record_id uuid, doc_title text, doc_subtitle text, doc_score real)
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
                BEGIN
                  RETURN QUERY EXECUTE
                    'SELECT d.entity, d.record_id, d.title, d.subtitle, ts_rank(d.tsv, to_tsquery(''simple'', $1))
                     FROM search_documents d
                     WHERE d.workspace_id = NULLIF(current_setting(''clientele.workspace_id'', true), '''')::uuid
                       AND d.tsv @@ to_tsquery(''simple'', $1)
                       AND ($2 IS NULL OR d.tsv @@ to_tsquery(''simple'', $2))
                       AND ($3 IS NULL OR d.entity = ANY (string_to_array($3, '','')))
                     LIMIT $4'
                  USING query, access, entities, cap;
                END
                $$
                """,
                Schema.reindexAllWorkspaces(key: "search.reindex.12", dialect),
            ]
        }
    }
}
