/// SQLite search scoped inside FTS5: every indexed term is tagged with its workspace
/// (`SearchIndexStore.scoped`; `_` becomes a token character), so FTS5 reads only the
/// workspace's postings and can rank and cut candidates before any join.
/// The FTS table is rebuilt empty, so every workspace gets a one-off `search.reindex` job.
enum Migration0004SearchScope {
    static let migration = Migration(version: 4, name: "search scope tokens") { dialect in
        var statements: [String] = []
        if dialect == .sqlite {
            statements += [
                "DROP TABLE search_fts",
                "DELETE FROM search_documents",
                """
                CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='', contentless_delete=1,
                  tokenize="unicode61 remove_diacritics 2 tokenchars '_'")
                """,
            ]
        }
        statements.append(Schema.reindexAllWorkspaces(key: "search.reindex.4", dialect))
        return statements
    }
}
