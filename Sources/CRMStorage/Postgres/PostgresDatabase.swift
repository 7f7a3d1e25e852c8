import CRMCore
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The cloud database: a `PostgresClient` pool. Each lease sets the session's workspace (and,
/// when the login role could bypass row-level security, a role that cannot), so the policies of
/// migration 0001 hold even if a query forgot its workspace condition.
public final class PostgresDatabase: Database {
    public let dialect = SQLDialect.postgres
    let client: PostgresClient
    /// A second pool, as large as the first, for what runs before a workspace is known (token
    /// look-ups, sign-in, job claims: tables without a tenant policy). Its sessions keep an empty
    /// workspace setting,
    /// so the workspace pool's sessions are not switched to no workspace and back around every
    /// request's token look-up (two extra round trips a request, measured with
    /// `log_min_duration_statement`).
    let registry: PostgresClient
    let runTask: Task<Void, Never>
    let logger: Logger
    /// What each pooled connection currently has set, so a lease skips the round trip when
    /// nothing changes (the common case: one workspace per box, or runs of the same tenant).
    /// Keyed by `stateKey`: each pool numbers its connections from the start, never reusing a
    /// number.
    let sessionState = Mutex<[Int: String]>([:])
    let restrictedRole: Mutex<String?> = Mutex(nil)

    public static let applicationRole = "clientele_app"

    /// Two connections per core of this instance (at least four): each instance of a cloud
    /// deployment keeps a small pool, and on one 2-core box a pool of 16 only had PostgreSQL
    /// backends take turns (list p99 35.8 ms at 16, 23.8 ms at 4; `?pool_size=` overrides).
    public static let defaultPoolSize = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)

    public init(url: DatabaseURL, poolSize: Int = defaultPoolSize, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: url.database, tls: Self.tls(for: url))
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // As large as the workspace pool: every request looks its token up here first (with 2
        // connections, requests queued for them: get by id at 16 connections fell to 984/s).
        let registry = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.registry = registry
        self.logger = logger
        self.runTask = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await client.run() }
                group.addTask { await registry.run() }
            }
        }
    }

    /// TLS as the URL's `sslmode` asks (libpq's meanings; `DatabaseURL.tls`).
    static func tls(for url: DatabaseURL) -> PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch url.tls {
        case .disable: return .disable
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let path = url.rootCertificatePath { configuration.trustRoots = .file(path) }
        return url.tls == .prefer ? .prefer(configuration) : .require(configuration)
    }

    /// Decides, after migrations, whether sessions must switch to the restricted role: a
    /// superuser or BYPASSRLS login would otherwise skip the tenant policies.
    func configureRole() async throws {
        let rows = try await withSystemConnection { connection in
            try await connection.query(
                "SELECT rolsuper OR rolbypassrls AS bypass, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \(.text(Self.applicationRole))) AS has_role FROM pg_roles WHERE rolname = current_user"
            )
        }
        let bypass = rows.first?.bool("bypass") ?? false
        let hasRole = rows.first?.bool("has_role") ?? false
        guard bypass else {
            // The login itself is subject to the policies (they are forced on table owners too).
            restrictedRole.withLock { $0 = nil }
            return
        }
        // A login that bypasses row-level security must be able to become the restricted role;
        // without it the tenant backstop would be silently off, so the server does not start.
        let advice =
            "connect as a role without superuser or BYPASSRLS, or let this one create the role \(Self.applicationRole) (CREATEROLE) or be granted it"
        guard hasRole else {
            throw StorageError.migrationFailed(
                "the database login bypasses row-level security and the role \(Self.applicationRole) does not exist: \(advice)")
        }
        do {
            try await withSystemConnection { connection in
                try await connection.execute("SET ROLE \(raw: Self.applicationRole)")
                try await connection.execute("RESET ROLE")
            }
        } catch {
            throw StorageError.migrationFailed(
                "the database login bypasses row-level security and cannot become \(Self.applicationRole) (\(error)): \(advice)")
        }
        restrictedRole.withLock { $0 = Self.applicationRole }
    }

    /// A connection's key in `sessionState`: its number in its pool, and which pool.
    private static func stateKey(_ connection: PostgresConnection, registry: Bool) -> Int {
        connection.id * 2 + (registry ? 1 : 0)
    }

    /// Sets the session's role and workspace unless it has them already. `key`: `stateKey`.
    private func prepare(_ connection: PostgresConnection, key: Int, workspace: UUID?) async throws {
        let role = restrictedRole.withLock { $0 } ?? "none"
        let wanted = "\(role)|\(workspace?.lowercased ?? "")"
        if sessionState.withLock({ $0[key] }) == wanted { return }
        var bindings = PostgresBindings()
        bindings.append(role == "none" ? "" : role)
        bindings.append(workspace?.lowercased ?? "")
        // JIT compilation off: it pays off for long analytic queries, and a statement whose
        // estimate crosses `jit_above_cost` (a restricted user's search: the visibility probes
        // priced as hashed subplans over whole tables) spent 430 ms compiling to run in 5 ms.
        let sql: String
        if role == "none" {
            sql = "SELECT set_config('jit', 'off', false), set_config('clientele.workspace_id', $2, false), $1::text"
        } else {
            sql =
                "SELECT set_config('jit', 'off', false), set_config('role', $1, false), set_config('clientele.workspace_id', $2, false)"
        }
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect()
            sessionState.withLock { $0[key] = wanted }
        } catch {
            sessionState.withLock { $0[key] = nil }
            throw error
        }
    }

    /// A connection of the workspace pool, or of the registry pool for work without a workspace.
    private func lease<T: Sendable>(registry: Bool = false, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await (registry ? self.registry : client).withConnection { connection in try await body(connection) }
        } catch let error as PSQLError where error.code == .connectionError || error.code == .serverClosedConnection {
            throw StorageError.unreachable("PostgreSQL is unreachable: \(error.code)")
        }
    }

    /// A session for `workspace` (nil: the registry pool, no workspace), prepared for it.
    private func session<T: Sendable>(workspace: UUID?, _ body: (PostgresSession) async throws -> T) async throws -> T {
        let registry = workspace == nil
        return try await lease(registry: registry) { connection in
            try await prepare(connection, key: Self.stateKey(connection, registry: registry), workspace: workspace)
            return try await body(PostgresSession(connection: connection, logger: logger))
        }
    }

    public func read<T: Sendable>(
        workspace: UUID?, _ body: @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        try await session(workspace: workspace, body)
    }

    public func write<T: Sendable>(
        workspace: UUID?, alone: Bool, _ body: @escaping @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        try await self.session(workspace: workspace) { session in
            try await session.execute("BEGIN")
            do {
                let result = try await body(session)
                try await session.execute("COMMIT")
                return result
            } catch {
                try? await session.execute("ROLLBACK")
                throw error
            }
        }
    }

    public func withSystemConnection<T: Sendable>(_ body: @Sendable (any DatabaseConnection) async throws -> T) async throws -> T {
        try await session(workspace: nil, body)
    }

    /// Runs migrations on a connection with the login role itself (they create tables and roles).
    func withOwnerConnection<T: Sendable>(_ body: @Sendable (any DatabaseConnection) async throws -> T) async throws -> T {
        try await lease { connection in
            _ = try await connection.query("RESET ROLE", logger: logger).collect()
            sessionState.withLock { $0[Self.stateKey(connection, registry: false)] = nil }
            return try await body(PostgresSession(connection: connection, logger: logger))
        }
    }

    public func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}

/// One leased PostgreSQL connection as the storage code sees it.
struct PostgresSession: DatabaseConnection {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ fragment: SQLFragment) async throws -> [SQLRow] {
        let (sql, values) = fragment.render(.postgres)
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .text(let value), .day(let value):
                // PostgreSQL cannot store NUL: a client's mistake, not a server error.
                guard !value.utf8.contains(0) else { throw Self.nulError }
                bindings.append(value)
            case .json(let value):
                guard !value.utf8.contains(0), !value.contains("\\u0000") else { throw Self.nulError }
                bindings.append(value)
            case .bool(let value): bindings.append(value)
            case .uuid(let value): bindings.append(value)
            case .timestamp(let value): bindings.append(value)
            }
        }
        do {
            let sequence = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            var rows: [SQLRow] = []
            var columns: SQLColumns?
            for try await row in sequence {
                var values: [SQLValue] = []
                values.reserveCapacity(row.count)
                var names: [String] = []
                for cell in row {
                    values.append(try Self.value(cell))
                    if columns == nil { names.append(cell.columnName) }
                }
                if columns == nil { columns = SQLColumns(names) }
                rows.append(SQLRow(columns: columns!, values: values))
            }
            return rows
        } catch let error as PSQLError {
            if let code = error.serverInfo?[.sqlState], code == "23505" {
                throw StorageError.uniqueViolation(error.serverInfo?[.message] ?? "unique violation")
            }
            if error.code == .connectionError || error.code == .serverClosedConnection {
                throw StorageError.unreachable("PostgreSQL is unreachable: \(error.code)")
            }
            throw StorageError.queryFailed(
                "PostgreSQL error \(error.serverInfo?[.sqlState] ?? "?"): \(error.serverInfo?[.message] ?? "\(error.code)") in \(sql.prefix(300))"
            )
        }
    }

    static let nulError = CRMError.badRequest(code: "nul_character", message: "text must not contain the NUL character")

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .numeric: return .text(try cell.decode(Decimal.self).description)
        case .bool: return .bool(try cell.decode(Bool.self))
        case .uuid: return .uuid(try cell.decode(UUID.self))
        // Whole milliseconds, like every instant the server makes: microseconds and a Double may land
        // a hair off, and equal instants must compare equal (history diffs, repeat series).
        case .timestamptz, .timestamp: return .timestamp(Timestamps.truncated(try cell.decode(Date.self)))
        case .date: return .day(Timestamps.day(of: try cell.decode(Date.self)))
        case .json, .jsonb: return .json(try cell.decode(String.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}
