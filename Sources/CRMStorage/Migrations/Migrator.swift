import Foundation

/// Applies pending migrations, each in its own transaction, recorded in `schema_migrations`.
/// Idempotent; several instances starting at once take turns (PostgreSQL advisory lock; the single
/// SQLite writer).
public enum Migrator {
    static let lockKey: Int64 = 7_200_417_315

    public static func migrate(_ database: any Database) async throws {
        switch database {
        case let postgres as PostgresDatabase:
            try await postgres.withOwnerConnection { connection in
                try await connection.execute("SELECT pg_advisory_lock(\(.int(lockKey)))")
                do {
                    try await apply(on: connection)
                    try await grantApplicationRole(on: connection)
                    try await connection.execute("SELECT pg_advisory_unlock(\(.int(lockKey)))")
                } catch {
                    try? await connection.execute("SELECT pg_advisory_unlock(\(.int(lockKey)))")
                    throw error
                }
            }
            try await postgres.configureRole()
        default:
            try await database.withSystemConnection { connection in
                try await apply(on: connection)
                // Keep planner statistics fresh (bounded work; SQLite never analyses by itself).
                try await connection.execute("PRAGMA analysis_limit = 1000")
                try await connection.execute("PRAGMA optimize = 0x10002")
            }
        }
    }

    static func apply(on connection: any DatabaseConnection) async throws {
        let dialect = connection.dialect
        try await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at \(raw: dialect.timestampType) NOT NULL)"
        )
        let applied = Set(try await connection.query("SELECT version FROM schema_migrations").compactMap { $0.int("version") })
        for migration in Migration.all where !applied.contains(Int64(migration.version)) {
            try await connection.execute(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN")
            do {
                for statement in migration.statements(dialect) {
                    try await connection.execute(SQLFragment(statement))
                }
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(.int(Int64(migration.version))), \(.text(migration.name)), \(.timestamp(Date())))"
                )
                try await connection.execute("COMMIT")
            } catch {
                try? await connection.execute("ROLLBACK")
                throw StorageError.migrationFailed("migration \(migration.version) (\(migration.name)) failed: \(error)")
            }
        }
    }

    /// Creates the restricted application role when the login may, and grants it the tables.
    static func grantApplicationRole(on connection: any DatabaseConnection) async throws {
        let role = PostgresDatabase.applicationRole
        let create: String = """
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(role)')
                 AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
                CREATE ROLE \(role) NOLOGIN;
              END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """
        let grant: String = """
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(role)') THEN
                EXECUTE 'GRANT USAGE ON SCHEMA public TO \(role)';
                EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role)';
              END IF;
            EXCEPTION WHEN insufficient_privilege THEN NULL;
            END $$
            """
        try await connection.execute(SQLFragment(create))
        try await connection.execute(SQLFragment(grant))
    }
}
