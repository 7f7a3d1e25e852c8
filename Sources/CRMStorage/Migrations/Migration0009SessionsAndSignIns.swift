/// Sessions and API tokens in one table (`api_tokens.kind`: `session` from signing in, `token`
/// made for integrations), with last use, an idle limit and the client that made them; and
/// every sign-in attempt, which is both the per-user sign-in log and what throttling counts.
/// Looked up before a workspace is known (by token hash, by e-mail): no row-level policy,
/// like `api_tokens` (decision 0004).
enum Migration0009SessionsAndSignIns {
    static let migration = Migration(version: 9, name: "sessions and sign-ins") { dialect in
        let uuid = dialect.uuidType
        let time = dialect.timestampType
        let bigint = dialect.bigintType
        let bool = dialect.boolType
        return [
            "ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'token'",
            "ALTER TABLE api_tokens ADD COLUMN last_used_at \(time)",
            "ALTER TABLE api_tokens ADD COLUMN idle_seconds \(bigint)",
            "ALTER TABLE api_tokens ADD COLUMN client TEXT",
            "UPDATE api_tokens SET kind = 'session' WHERE name = 'login'",
            "CREATE INDEX api_tokens_user ON api_tokens (workspace_id, user_id, id)",
            """
            CREATE TABLE sign_in_attempts (id \(uuid) NOT NULL PRIMARY KEY, workspace_id \(uuid), email TEXT NOT NULL,
              user_id \(uuid), address TEXT NOT NULL, succeeded \(bool) NOT NULL, reason TEXT, at \(time) NOT NULL)
            """,
            "CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at)",
            "CREATE INDEX sign_in_attempts_address ON sign_in_attempts (address, at)",
            "CREATE INDEX sign_in_attempts_user ON sign_in_attempts (workspace_id, user_id, at)",
        ]
    }
}
