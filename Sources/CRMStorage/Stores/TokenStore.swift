import CRMCore
import Foundation

/// Who a bearer token belongs to, and what the look-up of every request needs to know.
public struct TokenOwner: Sendable, Hashable {
    public var workspaceID: UUID
    public var userID: UUID
    public var tokenID: UUID
    public var expiresAt: Date?
    /// The workspace's access version when the token was looked up (see `AccessStore`).
    public var accessVersion: Int64
    public var readOnly: Bool
    public var lastUsedAt: Date?
    public var idleSeconds: Int64?
}

/// Sessions and API tokens (one table, `kind` tells them apart).
public enum TokenStore {
    public static func create(
        workspaceID: UUID, userID: UUID, hash: String, name: String, expiresAt: Date?, kind: APIToken.Kind = .token,
        readOnly: Bool = false, idleSeconds: Int64? = nil, client: String? = nil, on connection: any DatabaseConnection
    ) async throws -> UUID {
        let id = UUIDv7.make()
        let now = Timestamps.now()
        try await connection.execute(
            """
            INSERT INTO api_tokens (workspace_id, id, user_id, token_hash, name, created_at, expires_at, kind, read_only,
              idle_seconds, client, last_used_at)
            VALUES (\(.uuid(workspaceID)), \(.uuid(id)), \(.uuid(userID)), \(.text(hash)), \(.text(name)), \(.timestamp(now)),
              \(.optional(expiresAt)), \(.text(kind.rawValue)), \(.bool(readOnly)), \(idleSeconds.map { .int($0) } ?? .null),
              \(.optional(client)), \(.timestamp(now)))
            """)
        return id
    }

    /// Ends every token and session of a user (deactivation, a new password), but `except`.
    public static func revokeAll(userID: UUID, workspaceID: UUID, except: UUID? = nil, on connection: any DatabaseConnection)
        async throws
    {
        var sql: SQLFragment = """
            UPDATE api_tokens SET revoked_at = \(.timestamp(Timestamps.now()))
            WHERE workspace_id = \(.uuid(workspaceID)) AND user_id = \(.uuid(userID)) AND revoked_at IS NULL
            """
        if let except { sql.append(" AND id <> \(.uuid(except))") }
        try await connection.execute(sql)
    }

    public static func revoke(hash: String, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "UPDATE api_tokens SET revoked_at = \(.timestamp(Timestamps.now())) WHERE token_hash = \(.text(hash)) AND revoked_at IS NULL")
    }

    /// Revokes one token of the workspace (of `userID` only, when given); false when none matched.
    public static func revoke(id: UUID, userID: UUID?, workspaceID: UUID, on connection: any DatabaseConnection) async throws -> Bool {
        var sql: SQLFragment = """
            UPDATE api_tokens SET revoked_at = \(.timestamp(Timestamps.now()))
            WHERE workspace_id = \(.uuid(workspaceID)) AND id = \(.uuid(id)) AND revoked_at IS NULL
            """
        if let userID { sql.append(" AND user_id = \(.uuid(userID))") }
        sql.append(" RETURNING id")
        return try await !connection.query(sql).isEmpty
    }

    /// Records that a token was used (at most about once a minute per token: see `AuthService`).
    public static func touch(id: UUID, at date: Date, on connection: any DatabaseConnection) async throws {
        try await connection.execute("UPDATE api_tokens SET last_used_at = \(.timestamp(date)) WHERE id = \(.uuid(id))")
    }

    /// A workspace's live tokens and sessions (of one user, when given), newest first.
    public static func list(workspaceID: UUID, userID: UUID?, kind: APIToken.Kind?, on connection: any DatabaseConnection)
        async throws -> [APIToken]
    {
        var sql: SQLFragment = """
            SELECT id, user_id, kind, name, read_only, created_at, expires_at, last_used_at, idle_seconds, revoked_at, client
            FROM api_tokens WHERE workspace_id = \(.uuid(workspaceID)) AND revoked_at IS NULL
            AND (expires_at IS NULL OR expires_at > \(.timestamp(Timestamps.now())))
            """
        if let userID { sql.append(" AND user_id = \(.uuid(userID))") }
        if let kind { sql.append(" AND kind = \(.text(kind.rawValue))") }
        sql.append(" ORDER BY id DESC LIMIT 1000")
        return try await connection.query(sql).compactMap { row in
            guard let id = row.uuid("id"), let user = row.uuid("user_id") else { return nil }
            return APIToken(
                id: id, userID: user, kind: APIToken.Kind(rawValue: row.string("kind") ?? "") ?? .token, name: row.string("name") ?? "",
                readOnly: row.bool("read_only") ?? false, createdAt: row.date("created_at") ?? Date(timeIntervalSince1970: 0),
                expiresAt: row.date("expires_at"), lastUsedAt: row.date("last_used_at"), idleSeconds: row.int("idle_seconds"),
                revokedAt: row.date("revoked_at"), client: row.string("client"))
        }
    }

    public static func owner(hash: String, on connection: any DatabaseConnection) async throws -> TokenOwner? {
        guard
            let row = try await connection.first(
                """
                SELECT t.id, t.workspace_id, t.user_id, t.expires_at, t.read_only, t.last_used_at, t.idle_seconds, w.access_version
                FROM api_tokens t JOIN workspaces w ON w.workspace_id = t.workspace_id
                WHERE t.token_hash = \(.text(hash)) AND t.revoked_at IS NULL
                """)
        else { return nil }
        guard let workspaceID = row.uuid("workspace_id"), let userID = row.uuid("user_id"), let id = row.uuid("id") else { return nil }
        return TokenOwner(
            workspaceID: workspaceID, userID: userID, tokenID: id, expiresAt: row.date("expires_at"),
            accessVersion: row.int("access_version") ?? 0, readOnly: row.bool("read_only") ?? false, lastUsedAt: row.date("last_used_at"),
            idleSeconds: row.int("idle_seconds"))
    }
}

public enum SignInStore {
    public static func record(_ attempt: SignInAttempt, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO sign_in_attempts (id, workspace_id, email, user_id, address, succeeded, reason, at)
            VALUES (\(.uuid(attempt.id)), \(.optional(attempt.workspaceID)), \(.text(attempt.email)), \(.optional(attempt.userID)),
              \(.text(attempt.address)), \(.bool(attempt.succeeded)), \(.optional(attempt.reason)), \(.timestamp(attempt.at)))
            """)
    }

    /// Failures since `since` and after the last success, newest first (`column` is `email` or
    /// `address`), at most `limit`. Attempts refused by throttling itself do not count (they
    /// checked no password), so waiting out a delay always helps.
    public static func recentFailures(
        column: String, value: String, since: Date, limit: Int, on connection: any DatabaseConnection
    ) async throws -> [Date] {
        precondition(column == "email" || column == "address")
        let lastSuccess = try await connection.first(
            """
            SELECT MAX(at) AS at FROM sign_in_attempts WHERE \(raw: column) = \(.text(value)) AND succeeded = \(.bool(true))
            AND at >= \(.timestamp(since))
            """)?.date("at")
        let from = max(since, lastSuccess ?? since)
        return try await connection.query(
            """
            SELECT at FROM sign_in_attempts WHERE \(raw: column) = \(.text(value)) AND succeeded = \(.bool(false))
            AND reason NOT IN ('throttled', 'code_required') AND at > \(.timestamp(from)) ORDER BY at DESC LIMIT \(raw: String(limit))
            """
        ).compactMap { $0.date("at") }
    }

    /// A user's sign-ins and failures, newest first.
    public static func log(userID: UUID, workspaceID: UUID, limit: Int, on connection: any DatabaseConnection) async throws
        -> [SignInAttempt]
    {
        try await connection.query(
            """
            SELECT * FROM sign_in_attempts WHERE workspace_id = \(.uuid(workspaceID)) AND user_id = \(.uuid(userID))
            ORDER BY at DESC LIMIT \(raw: String(limit))
            """
        ).compactMap { row in
            guard let id = row.uuid("id") else { return nil }
            return SignInAttempt(
                id: id, workspaceID: row.uuid("workspace_id"), email: row.string("email") ?? "", userID: row.uuid("user_id"),
                address: row.string("address") ?? "", succeeded: row.bool("succeeded") ?? false, reason: row.string("reason"),
                at: row.date("at") ?? Date(timeIntervalSince1970: 0))
        }
    }
}
