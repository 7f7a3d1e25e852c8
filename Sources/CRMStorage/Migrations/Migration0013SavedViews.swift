/// Saved list views: a name, the entity, the list's query (filters, sort, columns, as the list
/// page's query string) and whether the owner shares it with the workspace.
enum Migration0013SavedViews {
    static let migration = Migration(version: 13, name: "saved views") { dialect in
        let uuid = dialect.uuidType
        return [
            """
            CREATE TABLE saved_views (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, user_id \(uuid) NOT NULL,
              entity TEXT NOT NULL, name TEXT NOT NULL, query TEXT NOT NULL, shared \(dialect.boolType) NOT NULL,
              created_at \(dialect.timestampType) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX saved_views_entity ON saved_views (workspace_id, entity, user_id)",
        ] + Schema.tenantPolicy("saved_views", dialect)
    }
}
