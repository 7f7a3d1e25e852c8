/// Workspaces, users, tokens, numbering, custom fields, audit, search, jobs.
enum Migration0001System {
    static let migration = Migration(version: 1, name: "system tables") { dialect in
        let uuid = dialect.uuidType
        let time = dialect.timestampType
        let json = dialect.jsonType
        let bigint = dialect.bigintType
        let bool = dialect.boolType
        var statements: [String] = [
            // The tenant registry itself: looked up before a workspace is known, so no policy.
            """
            CREATE TABLE workspaces (workspace_id \(uuid) PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
              settings \(json) NOT NULL DEFAULT \(dialect.emptyJSONObject), created_at \(time) NOT NULL)
            """,
            """
            CREATE TABLE users (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, email TEXT NOT NULL,
              name TEXT NOT NULL, password_hash TEXT NOT NULL, is_admin \(bool) NOT NULL DEFAULT \(dialect == .sqlite ? "0" : "false"),
              language TEXT NOT NULL DEFAULT 'en', time_zone TEXT NOT NULL DEFAULT 'UTC', is_active \(bool) NOT NULL DEFAULT \(dialect == .sqlite ? "1" : "true"),
              created_at \(time) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX users_email ON users (workspace_id, email)",
            // Looked up by token hash before the workspace is known: no policy; holds only hashes.
            """
            CREATE TABLE api_tokens (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, user_id \(uuid) NOT NULL,
              token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created_at \(time) NOT NULL, expires_at \(time),
              revoked_at \(time), PRIMARY KEY (workspace_id, id))
            """,
            """
            CREATE TABLE record_sequences (workspace_id \(uuid) NOT NULL, entity TEXT NOT NULL, last_value \(bigint) NOT NULL,
              PRIMARY KEY (workspace_id, entity))
            """,
            """
            CREATE TABLE custom_fields (workspace_id \(uuid) NOT NULL, entity TEXT NOT NULL, name TEXT NOT NULL,
              definition \(json) NOT NULL, position \(bigint) NOT NULL, created_at \(time) NOT NULL, updated_at \(time) NOT NULL,
              PRIMARY KEY (workspace_id, entity, name))
            """,
            """
            CREATE TABLE audit_log (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, entity TEXT NOT NULL,
              record_id \(uuid) NOT NULL, action TEXT NOT NULL, actor_id \(uuid), at \(time) NOT NULL,
              title TEXT, changes \(json) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX audit_log_record ON audit_log (workspace_id, entity, record_id, id)",
            "CREATE INDEX audit_log_actor ON audit_log (workspace_id, actor_id, id)",
            // Jobs are claimed across workspaces by whichever instance is free: no policy.
            """
            CREATE TABLE jobs (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, kind TEXT NOT NULL, job_key TEXT,
              payload \(json) NOT NULL DEFAULT \(dialect.emptyJSONObject), run_at \(time) NOT NULL, interval_seconds \(bigint),
              locked_by TEXT, locked_until \(time), attempts \(bigint) NOT NULL DEFAULT 0, last_error TEXT,
              created_at \(time) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX jobs_key ON jobs (workspace_id, job_key)",
            "CREATE INDEX jobs_due ON jobs (run_at)",
        ]
        switch dialect {
        case .sqlite:
            statements += [
                """
                CREATE TABLE search_documents (workspace_id TEXT NOT NULL, doc_id INTEGER PRIMARY KEY, entity TEXT NOT NULL,
                  record_id TEXT NOT NULL, title TEXT NOT NULL, subtitle TEXT, UNIQUE (workspace_id, entity, record_id))
                """,
                "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')",
            ]
        case .postgres:
            statements += [
                """
                CREATE TABLE search_documents (workspace_id uuid NOT NULL, entity TEXT NOT NULL, record_id uuid NOT NULL,
                  title TEXT NOT NULL, subtitle TEXT, terms TEXT NOT NULL,
                  tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED,
                  PRIMARY KEY (workspace_id, entity, record_id))
                """,
                "CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv)",
            ]
        }
        for table in ["users", "record_sequences", "custom_fields", "audit_log", "search_documents"] {
            statements += Schema.tenantPolicy(table, dialect)
        }
        return statements
    }
}
