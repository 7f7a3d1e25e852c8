import CRMCore
import Foundation

/// People who sign in, per workspace.
public enum UserStore {
    public static func create(_ user: User, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO users (workspace_id, id, email, name, password_hash, is_admin, language, time_zone, is_active, role_id, created_at)
            VALUES (\(.uuid(user.workspaceID)), \(.uuid(user.id)), \(.text(user.email)), \(.text(user.name)), \(.text(user.passwordHash)),
            \(.bool(user.isAdmin)), \(.text(user.language)), \(.text(user.timeZone)), \(.bool(user.isActive)), \(.optional(user.roleID)),
            \(.timestamp(Timestamps.now())))
            """)
    }

    public static func find(email: String, workspaceID: UUID, on connection: any DatabaseConnection) async throws -> User? {
        try await connection.first(
            "SELECT * FROM users WHERE workspace_id = \(.uuid(workspaceID)) AND email = \(.text(email.lowercased()))"
        ).map(decode)
    }

    public static func find(id: UUID, workspaceID: UUID, on connection: any DatabaseConnection) async throws -> User? {
        try await connection.first("SELECT * FROM users WHERE workspace_id = \(.uuid(workspaceID)) AND id = \(.uuid(id))").map(decode)
    }

    /// Writes a user's changed fields (all but id and workspace).
    public static func update(_ user: User, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            UPDATE users SET email = \(.text(user.email)), name = \(.text(user.name)), password_hash = \(.text(user.passwordHash)),
            is_admin = \(.bool(user.isAdmin)), language = \(.text(user.language)), time_zone = \(.text(user.timeZone)),
            is_active = \(.bool(user.isActive)), role_id = \(.optional(user.roleID))
            WHERE workspace_id = \(.uuid(user.workspaceID)) AND id = \(.uuid(user.id))
            """)
    }

    /// How many users the workspace has, counting at most `limit` (a cheap "none / one / more").
    public static func count(workspaceID: UUID, limit: Int, on connection: any DatabaseConnection) async throws -> Int {
        try await connection.query(
            "SELECT id FROM users WHERE workspace_id = \(.uuid(workspaceID)) LIMIT \(raw: String(max(1, limit)))"
        ).count
    }

    public static func list(workspaceID: UUID, on connection: any DatabaseConnection) async throws -> [User] {
        try await connection.query("SELECT * FROM users WHERE workspace_id = \(.uuid(workspaceID)) ORDER BY name").map(decode)
    }

    static func decode(_ row: SQLRow) -> User {
        User(
            workspaceID: row.uuid("workspace_id") ?? UUID(), id: row.uuid("id") ?? UUID(), email: row.string("email") ?? "",
            name: row.string("name") ?? "", passwordHash: row.string("password_hash") ?? "", isAdmin: row.bool("is_admin") ?? false,
            language: row.string("language") ?? "en", timeZone: row.string("time_zone") ?? "UTC", isActive: row.bool("is_active") ?? true,
            roleID: row.uuid("role_id"), twoFactor: row.bool("totp_enabled") ?? false)
    }
}

/// A user's two-factor state (migration 0011).
public struct TwoFactorState: Sendable, Hashable {
    public var secret: String?
    public var enabled: Bool
    public var lastStep: Int64?
    /// SHA-256 hashes (hex) of the recovery codes not used yet.
    public var recoveryHashes: [String]

    public init(secret: String?, enabled: Bool, lastStep: Int64?, recoveryHashes: [String]) {
        self.secret = secret
        self.enabled = enabled
        self.lastStep = lastStep
        self.recoveryHashes = recoveryHashes
    }
}

extension UserStore {
    public static func twoFactor(userID: UUID, workspaceID: UUID, on connection: any DatabaseConnection) async throws
        -> TwoFactorState?
    {
        guard
            let row = try await connection.first(
                """
                SELECT totp_secret, totp_enabled, totp_last_step, totp_recovery FROM users
                WHERE workspace_id = \(.uuid(workspaceID)) AND id = \(.uuid(userID))
                """)
        else { return nil }
        let hashes: [String]
        if let text = row.string("totp_recovery"), case .array(let items)? = try? JSONValue.parse(text) {
            hashes = items.compactMap(\.stringValue)
        } else {
            hashes = []
        }
        return TwoFactorState(
            secret: row.string("totp_secret"), enabled: row.bool("totp_enabled") ?? false, lastStep: row.int("totp_last_step"),
            recoveryHashes: hashes)
    }

    public static func setTwoFactor(_ state: TwoFactorState, userID: UUID, workspaceID: UUID, on connection: any DatabaseConnection)
        async throws
    {
        let hashes = JSONValue.array(state.recoveryHashes.map { .string($0) }).serializedString()
        try await connection.execute(
            """
            UPDATE users SET totp_secret = \(.optional(state.secret)), totp_enabled = \(.bool(state.enabled)),
            totp_last_step = \(state.lastStep.map { .int($0) } ?? .null), totp_recovery = \(.json(hashes))
            WHERE workspace_id = \(.uuid(workspaceID)) AND id = \(.uuid(userID))
            """)
    }
}
