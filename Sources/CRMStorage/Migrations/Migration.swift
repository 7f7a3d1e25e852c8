/// One numbered, append-only schema step. Never edit a migration that has shipped: add a new one.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: @Sendable (SQLDialect) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (SQLDialect) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Every migration, in order.
    public static let all: [Migration] = [
        Migration0001System.migration, Migration0002Entities.migration, Migration0003ListAndSearchIndexes.migration,
        Migration0004SearchScope.migration, Migration0005SalesCore.migration, Migration0006MatchKeys.migration,
        Migration0007TextFilters.migration, Migration0008AccessControl.migration,
        Migration0009SessionsAndSignIns.migration, Migration0010IndexLookUpsUnderPolicies.migration,
        Migration0011TwoFactor.migration,
        Migration0012SearchAccessTerms.migration, Migration0013SavedViews.migration,
        Migration0014ReportsToIndex.migration,
        Migration0015MatchKeysInSearchDocuments.migration,
    ]
}

/// Column kinds that map to a type in each dialect.
enum ColumnKind {
    case uuid, text, bigint, bool, timestamp, json, date

    func sql(_ dialect: SQLDialect) -> String {
        switch self {
        case .uuid: dialect.uuidType
        case .text: "TEXT"
        case .bigint: dialect.bigintType
        case .bool: dialect.boolType
        case .timestamp: dialect.timestampType
        case .json: dialect.jsonType
        case .date: dialect.dateType
        }
    }
}

/// DDL helpers shared by migrations, so both dialects get the same shape.
enum Schema {
    /// On PostgreSQL, a tenant table gets row-level security keyed by the session's workspace.
    static func tenantPolicy(_ table: String, _ dialect: SQLDialect) -> [String] {
        guard dialect == .postgres else { return [] }
        return [
            "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE \(table) FORCE ROW LEVEL SECURITY",
            """
            CREATE POLICY \(table)_workspace ON \(table)
              USING (workspace_id = NULLIF(current_setting('clientele.workspace_id', true), '')::uuid)
              WITH CHECK (workspace_id = NULLIF(current_setting('clientele.workspace_id', true), '')::uuid)
            """,
        ]
    }

    /// The standard record columns, then the entity's own.
    static func recordTable(_ table: String, columns: [(String, ColumnKind)], _ dialect: SQLDialect) -> [String] {
        let standard: [String] = [
            "workspace_id \(dialect.uuidType) NOT NULL",
            "id \(dialect.uuidType) NOT NULL",
            "number TEXT NOT NULL",
            "owner_id \(dialect.uuidType)",
            "tags \(dialect.jsonType)",
            "created_at \(dialect.timestampType) NOT NULL",
            "created_by \(dialect.uuidType)",
            "updated_at \(dialect.timestampType) NOT NULL",
            "updated_by \(dialect.uuidType)",
            "version \(dialect.bigintType) NOT NULL DEFAULT 1",
            "deleted_at \(dialect.timestampType)",
            "deleted_by \(dialect.uuidType)",
            "custom \(dialect.jsonType) NOT NULL DEFAULT \(dialect.emptyJSONObject)",
        ]
        let own = columns.map { "\($0.0) \($0.1.sql(dialect))" }
        let live = "WHERE deleted_at IS NULL"
        return [
            "CREATE TABLE \(table) (\((standard + own).joined(separator: ", ")), PRIMARY KEY (workspace_id, id))",
            "CREATE UNIQUE INDEX \(table)_number ON \(table) (workspace_id, number)",
            "CREATE INDEX \(table)_created ON \(table) (workspace_id, created_at, id) \(live)",
            "CREATE INDEX \(table)_updated ON \(table) (workspace_id, updated_at, id) \(live)",
            "CREATE INDEX \(table)_owner ON \(table) (workspace_id, owner_id, created_at, id) \(live)",
            "CREATE INDEX \(table)_trash ON \(table) (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL",
        ] + tenantPolicy(table, dialect)
    }

    /// A list-sort index: NULLs first ascending, which is how both databases order them here.
    static func sortIndex(_ table: String, _ column: String, _ dialect: SQLDialect) -> String {
        let nulls = dialect == .postgres ? " NULLS FIRST" : ""
        return "CREATE INDEX \(table)_\(column) ON \(table) (workspace_id, \(column)\(nulls), id) WHERE deleted_at IS NULL"
    }

    /// Queues a one-off `search.reindex` job for every workspace (after the index terms change).
    static func reindexAllWorkspaces(key: String, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO jobs (workspace_id, id, kind, job_key, run_at, created_at)
        SELECT workspace_id, \(newID(dialect)), 'search.reindex', '\(key)', \(now(dialect)), \(now(dialect)) FROM workspaces
        """
    }

    /// Schedules a recurring job for every existing workspace (new ones get it when created).
    static func scheduleForAllWorkspaces(kind: String, every seconds: Int, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO jobs (workspace_id, id, kind, job_key, run_at, interval_seconds, created_at)
        SELECT workspace_id, \(newID(dialect)), '\(kind)', '\(kind)', \(now(dialect)), \(seconds), \(now(dialect)) FROM workspaces
        """
    }

    static func newID(_ dialect: SQLDialect) -> String {
        dialect == .postgres
            ? "gen_random_uuid()"
            : "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
    }

    static func now(_ dialect: SQLDialect) -> String {
        dialect == .postgres ? "now()" : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    }
}
