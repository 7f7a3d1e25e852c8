/// Indexes for the common "one filter, sorted" list views, and search without row-level
/// security on PostgreSQL.
///
/// Measured at 1M contacts (docs/PERFORMANCE.md): `last_name = ? ORDER BY first_name` sorted
/// every match (SQLite) or walked the first_name index filtering rows (PostgreSQL); the composite
/// index answers it in order. The tsvector match operator is not leakproof, so under the forced
/// policy PostgreSQL refused the GIN index and scanned every document; search queries always
/// carry the workspace condition themselves (`SearchIndexStore`), so the policy goes.
enum Migration0003ListAndSearchIndexes {
    static let migration = Migration(version: 3, name: "list and search indexes") { dialect in
        let nulls = dialect == .postgres ? " NULLS FIRST" : ""
        var statements = [
            "CREATE INDEX contacts_last_first ON contacts (workspace_id, last_name\(nulls), first_name\(nulls), id) WHERE deleted_at IS NULL",
            "CREATE INDEX leads_last_first ON leads (workspace_id, last_name\(nulls), first_name\(nulls), id) WHERE deleted_at IS NULL",
            "CREATE INDEX leads_status_created ON leads (workspace_id, status, created_at, id) WHERE deleted_at IS NULL",
            "CREATE INDEX deals_stage_created ON deals (workspace_id, stage, created_at, id) WHERE deleted_at IS NULL",
            "CREATE INDEX contacts_company_last ON contacts (workspace_id, company_id, last_name\(nulls), id) WHERE deleted_at IS NULL",
        ]
        if dialect == .postgres {
            statements += [
                "DROP POLICY search_documents_workspace ON search_documents",
                "ALTER TABLE search_documents NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE search_documents DISABLE ROW LEVEL SECURITY",
            ]
        }
        return statements
    }
}
