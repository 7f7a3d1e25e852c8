import CRMCore
import CRMStorage
import Crypto
import Foundation
import HummingbirdBcrypt
import Synchronization

/// Passwords (bcrypt) and API tokens (random, stored as SHA-256 hashes).
///
/// Every request looks its token up (one indexed read that also returns the workspace's access
/// version), so a revoked token or a deactivated user stops working on the next request on
/// every instance. What the token's user may do (`Grants`) is cached per token and reused
/// while the workspace's access version stays the same; any change to users, teams, roles,
/// profiles or sharing rules moves the version.
public final class AuthService: Sendable {
    let database: any Database
    let cache = Mutex<[String: (version: Int64, scope: AccessScope)]>([:])
    static let bcryptCost: UInt8 = 10
    /// What bcrypt reads of a password (UTF-8 bytes).
    public static let maximumPasswordBytes = 72
    /// Checked instead of a real hash when no user has the e-mail, so an unknown address costs
    /// the same time as a wrong password (no finding out who has an account by timing).
    static let unknownUserHash = Bcrypt.hash("no user has this e-mail", cost: bcryptCost)

    public init(database: any Database) { self.database = database }

    public static func hashPassword(_ password: String) -> String {
        Bcrypt.hash(password, cost: bcryptCost)
    }

    /// Creates a user with the workspace's default profile. `then` runs in the same transaction
    /// (the users API sets role, teams and profiles there, so a refused reference leaves no user).
    public func createUser(
        email: String, password: String, name: String, isAdmin: Bool, workspaceID: UUID,
        then: (@Sendable (User, any DatabaseConnection) async throws -> User)? = nil
    ) async throws -> User {
        var issues: [ValidationIssue] = []
        guard let normalized = EmailAddress.normalize(email)?.lowercased() else {
            throw CRMError.validation([ValidationIssue(field: "email", code: "format", message: "email must be an e-mail address")])
        }
        if password.count < 8 {
            issues.append(ValidationIssue(field: "password", code: "too_short", message: "password needs 8 characters or more"))
        } else if password.utf8.count > Self.maximumPasswordBytes {
            // bcrypt reads the first 72 bytes only: a longer password would match any that share them.
            issues.append(
                ValidationIssue(
                    field: "password", code: "too_long", message: "password may be at most \(Self.maximumPasswordBytes) bytes long"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(ValidationIssue(field: "name", code: "required", message: "name is required"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let user = User(
            workspaceID: workspaceID, id: UUIDv7.make(), email: normalized, name: name, passwordHash: Self.hashPassword(password),
            isAdmin: isAdmin, language: "en", timeZone: "UTC", isActive: true)
        do {
            return try await database.write(workspace: workspaceID) { connection in
                try await UserStore.create(user, on: connection)
                // A new user gets the workspace's default profile (administrators use it
                // only if their flag is taken away).
                let scope = AccessScope.system(workspaceID)
                let profile = try await AccessStore.defaultProfileID(scope: scope, on: connection)
                try await AccessStore.setProfiles([profile], userID: user.id, scope: scope, on: connection)
                try await AccessStore.bumpVersion(scope: scope, on: connection)
                return try await then?(user, connection) ?? user
            }
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "user_exists", message: "a user with e-mail \(normalized) already exists in this workspace")
        }
    }

    /// How long a token from signing in with a password lasts (tokens made on the command line
    /// for integrations do not expire).
    public static let signInTokenLifetime: TimeInterval = 24 * 3600

    /// Issues a new token for a user and returns its secret text (shown once).
    public func createToken(userID: UUID, workspaceID: UUID, name: String = "api", expiresAt: Date? = nil) async throws -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = "clt_" + Self.hex(bytes)
        try await database.write(workspace: nil) { connection in
            try await TokenStore.create(
                workspaceID: workspaceID, userID: userID, hash: Self.hash(token), name: name, expiresAt: expiresAt, on: connection)
        }
        return token
    }

    /// Email and password to a token that expires after `signInTokenLifetime`; the same answer
    /// for a wrong e-mail and a wrong password.
    public func login(email: String, password: String, workspaceSlug: String?) async throws -> (token: String, expiresAt: Date) {
        let slug = workspaceSlug ?? WorkspaceStore.defaultSlug
        let workspace = try await database.read(workspace: nil) { connection in
            try await WorkspaceStore.find(slug: slug, on: connection)
        }
        guard let workspace else {
            _ = Bcrypt.verify(password, hash: Self.unknownUserHash)
            throw CRMError.unauthenticated("wrong e-mail, password or workspace")
        }
        let user = try await database.read(workspace: workspace.id) { connection in
            try await UserStore.find(email: email.lowercased(), workspaceID: workspace.id, on: connection)
        }
        // Always one bcrypt check, whether or not the e-mail has a user.
        let matches = Bcrypt.verify(password, hash: user?.passwordHash ?? Self.unknownUserHash)
        guard let user, user.isActive, matches, password.utf8.count <= Self.maximumPasswordBytes else {
            throw CRMError.unauthenticated("wrong e-mail, password or workspace")
        }
        let expiresAt = Date().addingTimeInterval(Self.signInTokenLifetime)
        let token = try await createToken(userID: user.id, workspaceID: workspace.id, name: "login", expiresAt: expiresAt)
        return (token, expiresAt)
    }

    /// Revokes the token a request was made with; every instance refuses it from the next request.
    public func logout(token: String) async throws {
        let key = Self.hash(token)
        try await database.write(workspace: nil) { connection in try await TokenStore.revoke(hash: key, on: connection) }
        cache.withLock { $0[key] = nil }
    }

    /// The caller a bearer token stands for, or `unauthenticated`.
    public func authenticate(token: String) async throws -> AccessScope {
        let key = Self.hash(token)
        guard let owner = try await database.read(workspace: nil, { connection in try await TokenStore.owner(hash: key, on: connection) }),
            owner.expiresAt.map({ $0 > Date() }) ?? true
        else {
            cache.withLock { $0[key] = nil }
            throw CRMError.unauthenticated("the token is not valid")
        }
        if let cached = cache.withLock({ $0[key] }), cached.version == owner.accessVersion { return cached.scope }
        let scope = try await database.read(workspace: owner.workspaceID) { connection -> AccessScope? in
            guard let user = try await UserStore.find(id: owner.userID, workspaceID: owner.workspaceID, on: connection), user.isActive
            else { return nil }
            let system = AccessScope.system(owner.workspaceID)
            let grants =
                user.isAdmin ? nil : try await AccessStore.grants(userID: user.id, roleID: user.roleID, scope: system, on: connection)
            return AccessScope(
                workspaceID: owner.workspaceID, userID: user.id, isAdmin: user.isAdmin, language: user.language, grants: grants,
                readOnly: owner.readOnly)
        }
        guard let scope else { throw CRMError.unauthenticated("the token is not valid") }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (owner.accessVersion, scope)
        }
        return scope
    }

    /// Runs on every API request (the cache key), so no formatter objects here.
    static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Array(token.utf8)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
