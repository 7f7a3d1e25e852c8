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
        let newID =
            dialect == .postgres
            ? "gen_random_uuid()"
            : "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
        let now = dialect == .postgres ? "now()" : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        statements.append(
            """
            INSERT INTO jobs (workspace_id, id, kind, job_key, run_at, created_at)
            SELECT workspace_id, \(newID), 'search.reindex', 'search.reindex.4', \(now), \(now) FROM workspaces
            """)
        return statements
    }
}
