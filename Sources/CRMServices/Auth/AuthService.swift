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
    let lookUps = Mutex<[String: (generation: Int, loaded: ContinuousClock.Instant, owner: TokenOwner)]>([:])
    let generation = Atomic<Int>(0)
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
            let created = try await database.write(workspace: workspaceID) { connection in
                try await UserStore.create(user, on: connection)
                // A new user gets the workspace's default profile (administrators use it
                // only if their flag is taken away).
                let scope = AccessScope.system(workspaceID)
                let profile = try await AccessStore.defaultProfileID(scope: scope, on: connection)
                try await AccessStore.setProfiles([profile], userID: user.id, scope: scope, on: connection)
                try await AccessStore.bumpVersion(scope: scope, on: connection)
                return try await then?(user, connection) ?? user
            }
            invalidate()
            return created
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "user_exists", message: "a user with e-mail \(normalized) already exists in this workspace")
        }
    }

    /// Whether the box still needs its first administrator: no workspace but the default one,
    /// and no user in it (the first-run page creates one). A deployment whose workspaces were
    /// made from the command line is set up, whoever is in its default workspace.
    public func needsFirstAdministrator() async throws -> Bool {
        let (workspace, others) = try await database.read(workspace: nil) { connection in
            (
                try await WorkspaceStore.find(slug: WorkspaceStore.defaultSlug, on: connection),
                try await WorkspaceStore.othersExist(than: WorkspaceStore.defaultSlug, on: connection)
            )
        }
        guard !others else { return false }
        guard let workspace else { return true }
        return try await database.read(workspace: workspace.id) { connection in
            try await UserStore.count(workspaceID: workspace.id, limit: 1, on: connection) == 0
        }
    }

    /// The first administrator of the default workspace (the first-run page). Refused once any
    /// user exists there, in the same transaction that writes the user, so two racing first
    /// runs make one administrator.
    public func createFirstAdministrator(email: String, password: String, name: String, language: String, workspaceID: UUID)
        async throws -> User
    {
        let language = ["en", "ru", "bg"].contains(language) ? language : "en"
        return try await createUser(email: email, password: password, name: name, isAdmin: true, workspaceID: workspaceID) {
            user, connection in
            guard try await UserStore.count(workspaceID: workspaceID, limit: 2, on: connection) == 1 else {
                throw CRMError.conflict(code: "already_set_up", message: "this workspace already has its administrator: sign in")
            }
            var user = user
            user.language = language
            try await UserStore.update(user, on: connection)
            return user
        }
    }

    /// A session from signing in ends a day after it began, or after two hours without a
    /// request, whichever comes first. Tokens made for integrations end when their owner says.
    public static let signInTokenLifetime: TimeInterval = 24 * 3600
    public static let sessionIdleSeconds: Int64 = 2 * 3600
    /// How often a token's last use is written (a write per request would cost more than the request).
    static let touchInterval: TimeInterval = 60

    /// Issues a new token for a user and returns its secret text (shown once) and its id.
    public func createToken(
        userID: UUID, workspaceID: UUID, name: String = "api", expiresAt: Date? = nil, kind: APIToken.Kind = .token,
        readOnly: Bool = false, idleSeconds: Int64? = nil, client: String? = nil
    ) async throws -> (token: String, id: UUID) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = "clt_" + Self.hex(bytes)
        let id = try await database.write(workspace: nil) { connection in
            try await TokenStore.create(
                workspaceID: workspaceID, userID: userID, hash: Self.hash(token), name: name, expiresAt: expiresAt, kind: kind,
                readOnly: readOnly, idleSeconds: idleSeconds, client: client, on: connection)
        }
        return (token, id)
    }

    // MARK: - Signing in, throttled

    /// Failures of one e-mail before sign-ins slow down, and before they stop for a while.
    public static let failuresBeforeDelay = 5
    public static let failuresBeforeLock = 15
    /// Failures from one client address (any e-mail) before it is slowed, and locked.
    public static let addressFailuresBeforeDelay = 100
    public static let addressFailuresBeforeLock = 1_000
    /// The window failures are counted in, and how long a lock lasts.
    public static let throttleWindow: TimeInterval = 15 * 60

    /// How long a sign-in for this e-mail from this address must wait, from the failures since
    /// the last success in the window: nothing below the first limit, then 1, 2, 4 ... seconds
    /// after the last failure (at most a minute), then a lock until the window has passed
    /// since the last failure.
    func wait(email: String, address: String, now: Date) async throws -> Int? {
        let since = now.addingTimeInterval(-Self.throttleWindow)
        let (byEmail, byAddress) = try await database.read(workspace: nil) { connection in
            (
                try await SignInStore.recentFailures(
                    column: "email", value: email, since: since, limit: Self.failuresBeforeLock, on: connection),
                try await SignInStore.recentFailures(
                    column: "address", value: address, since: since, limit: Self.addressFailuresBeforeLock, on: connection)
            )
        }
        func delay(_ failures: [Date], soft: Int, hard: Int) -> TimeInterval? {
            guard failures.count >= soft, let last = failures.first else { return nil }
            if failures.count >= hard { return last.addingTimeInterval(Self.throttleWindow).timeIntervalSince(now) }
            let seconds = min(60, pow(2, Double(failures.count - soft)))
            return last.addingTimeInterval(seconds).timeIntervalSince(now)
        }
        let waits = [
            delay(byEmail, soft: Self.failuresBeforeDelay, hard: Self.failuresBeforeLock),
            delay(byAddress, soft: Self.addressFailuresBeforeDelay, hard: Self.addressFailuresBeforeLock),
        ].compactMap { $0 }.filter { $0 > 0 }
        return waits.max().map { Int($0.rounded(.up)) }
    }

    /// Email and password to a session token that expires after `signInTokenLifetime` (or two
    /// idle hours); the same answer for a wrong e-mail and a wrong password. Throttled per
    /// e-mail and per client address (429 with `Retry-After`); every attempt is logged.
    public func login(
        email: String, password: String, workspaceSlug: String?, code: String? = nil, address: String = "unknown", client: String? = nil
    ) async throws -> (token: String, expiresAt: Date) {
        let email = email.lowercased()
        let now = Date()
        let slug = workspaceSlug ?? WorkspaceStore.defaultSlug
        func log(_ workspace: UUID?, _ user: UUID?, _ succeeded: Bool, _ reason: String?) async throws {
            let attempt = SignInAttempt(
                id: UUIDv7.make(), workspaceID: workspace, email: email, userID: user, address: address, succeeded: succeeded,
                reason: reason, at: Date())
            try await database.write(workspace: nil) { connection in try await SignInStore.record(attempt, on: connection) }
        }
        let workspace = try await database.read(workspace: nil) { connection in
            try await WorkspaceStore.find(slug: slug, on: connection)
        }
        var user: User?
        if let workspace {
            user = try await database.read(workspace: workspace.id) { connection in
                try await UserStore.find(email: email, workspaceID: workspace.id, on: connection)
            }
        }
        if let seconds = try await wait(email: email, address: address, now: now) {
            try await log(workspace?.id, user?.id, false, "throttled")
            throw CRMError.tooManyRequests(
                "too many failed sign-ins for this e-mail or from this address: try again in \(seconds) seconds", retryAfter: seconds)
        }
        // Always one bcrypt check, whether or not the workspace and the e-mail have a user.
        let matches = Bcrypt.verify(password, hash: user?.passwordHash ?? Self.unknownUserHash)
        guard let workspace, let user, user.isActive, matches, password.utf8.count <= Self.maximumPasswordBytes else {
            let reason = workspace == nil ? "workspace" : user == nil ? "email" : !(user?.isActive ?? false) ? "inactive" : "password"
            try await log(workspace?.id, user?.id, false, reason)
            throw CRMError.unauthenticated("wrong e-mail, password or workspace")
        }
        let state = try await database.read(workspace: workspace.id) { connection in
            try await UserStore.twoFactor(userID: user.id, workspaceID: workspace.id, on: connection)
        }
        if let state, state.enabled {
            guard let code, !code.isEmpty else {
                try await log(workspace.id, user.id, false, "code_required")
                throw CRMError.codeRequired
            }
            guard try await useSecondFactor(code, userID: user.id, workspaceID: workspace.id, at: now) else {
                try await log(workspace.id, user.id, false, "code")
                throw CRMError.unauthenticated("wrong e-mail, password, workspace or one-time code")
            }
        }
        try await log(workspace.id, user.id, true, nil)
        let expiresAt = Date().addingTimeInterval(Self.signInTokenLifetime)
        let token = try await createToken(
            userID: user.id, workspaceID: workspace.id, name: "login", expiresAt: expiresAt, kind: .session,
            idleSeconds: Self.sessionIdleSeconds, client: client.map { String($0.prefix(200)) })
        return (token.token, expiresAt)
    }

    /// Checks a one-time code or a recovery code of a user with two-factor sign-in, and spends it:
    /// a TOTP code's step must be later than the last one accepted (a code works once), a
    /// recovery code is removed. In one write, so two requests cannot spend the same code.
    func useSecondFactor(_ code: String, userID: UUID, workspaceID: UUID, at date: Date) async throws -> Bool {
        try await database.write(workspace: workspaceID) { connection in
            guard var state = try await UserStore.twoFactor(userID: userID, workspaceID: workspaceID, on: connection), state.enabled,
                let secret = state.secret.flatMap(TOTP.base32Decode)
            else { return false }
            if let step = TOTP.matchingStep(code, secret: secret, at: date) {
                guard step > (state.lastStep ?? .min) else { return false }
                state.lastStep = step
            } else {
                let hash = Self.hash(Self.normalizedRecoveryCode(code))
                guard let index = state.recoveryHashes.firstIndex(of: hash) else { return false }
                state.recoveryHashes.remove(at: index)
            }
            try await UserStore.setTwoFactor(state, userID: userID, workspaceID: workspaceID, on: connection)
            return true
        }
    }

    static func normalizedRecoveryCode(_ code: String) -> String {
        code.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Ten new recovery codes (`xxxxx-xxxxx`, hex), and their hashes to store.
    static func newRecoveryCodes() -> (codes: [String], hashes: [String]) {
        var random = SystemRandomNumberGenerator()
        let codes = (0..<10).map { _ in
            let text = hex((0..<5).map { _ in UInt8.random(in: 0...255, using: &random) })
            return String(text.prefix(5)) + "-" + String(text.suffix(5))
        }
        return (codes, codes.map { hash(normalizedRecoveryCode($0)) })
    }

    /// Starts enrolment: a new secret, not in force until a code confirms it. Refused while
    /// two-factor sign-in is on (turn it off first).
    public func beginTwoFactor(userID: UUID, workspaceID: UUID, label: String) async throws -> (secret: String, uri: String) {
        let secret = TOTP.base32(TOTP.newSecret())
        try await database.write(workspace: workspaceID) { connection in
            guard let state = try await UserStore.twoFactor(userID: userID, workspaceID: workspaceID, on: connection) else {
                throw CRMError.unauthenticated("the token's user no longer exists")
            }
            if state.enabled { throw CRMError.conflict(code: "two_factor_on", message: "two-factor sign-in is already on") }
            try await UserStore.setTwoFactor(
                TwoFactorState(secret: secret, enabled: false, lastStep: nil, recoveryHashes: []), userID: userID, workspaceID: workspaceID,
                on: connection)
        }
        let name = label.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "user"
        return (secret, "otpauth://totp/Clientele:\(name)?secret=\(secret)&issuer=Clientele&algorithm=SHA1&digits=6&period=30")
    }

    /// Confirms enrolment with a code from the app: two-factor sign-in is on from now, and the
    /// answer holds the recovery codes (shown once).
    public func confirmTwoFactor(code: String, userID: UUID, workspaceID: UUID, at date: Date = Date()) async throws -> [String] {
        let recovery = Self.newRecoveryCodes()
        try await database.write(workspace: workspaceID) { connection in
            guard var state = try await UserStore.twoFactor(userID: userID, workspaceID: workspaceID, on: connection),
                let secret = state.secret.flatMap(TOTP.base32Decode), !state.enabled
            else {
                throw CRMError.conflict(code: "no_enrolment", message: "start with POST /api/v1/me/two-factor (or it is already on)")
            }
            guard let step = TOTP.matchingStep(code, secret: secret, at: date) else {
                throw CRMError.validation([
                    ValidationIssue(field: "code", code: "wrong", message: "the code does not match: check the app's clock")
                ])
            }
            state.enabled = true
            state.lastStep = step
            state.recoveryHashes = recovery.hashes
            try await UserStore.setTwoFactor(state, userID: userID, workspaceID: workspaceID, on: connection)
        }
        return recovery.codes
    }

    /// Turns two-factor sign-in off: the user proves it with a current code (or a recovery code);
    /// an administrator (`verified`) for someone who lost their device.
    public func disableTwoFactor(code: String?, verified: Bool, userID: UUID, workspaceID: UUID) async throws {
        if !verified {
            guard let code, try await useSecondFactor(code, userID: userID, workspaceID: workspaceID, at: Date()) else {
                throw CRMError.validation([
                    ValidationIssue(field: "code", code: "wrong", message: "a current one-time or recovery code is needed")
                ])
            }
        }
        try await database.write(workspace: workspaceID) { connection in
            try await UserStore.setTwoFactor(
                TwoFactorState(secret: nil, enabled: false, lastStep: nil, recoveryHashes: []), userID: userID, workspaceID: workspaceID,
                on: connection)
        }
    }

    /// Revokes the token a request was made with; every instance refuses it from the next request.
    public func logout(token: String) async throws {
        let key = Self.hash(token)
        try await database.write(workspace: nil) { connection in try await TokenStore.revoke(hash: key, on: connection) }
        cache.withLock { $0[key] = nil }
        invalidate()
    }

    /// The caller a bearer token stands for, or `unauthenticated`.
    public func authenticate(token: String) async throws -> AccessScope {
        let key = Self.hash(token)
        let now = Date()
        guard var owner = try await lookUp(key),
            owner.expiresAt.map({ $0 > now }) ?? true,
            owner.idleSeconds.map({ idle in (owner.lastUsedAt ?? .distantPast).addingTimeInterval(TimeInterval(idle)) > now }) ?? true
        else {
            cache.withLock { $0[key] = nil }
            throw CRMError.unauthenticated("the token is not valid (revoked, expired, or idle too long: sign in again)")
        }
        if now.timeIntervalSince(owner.lastUsedAt ?? .distantPast) > Self.touchInterval {
            let id = owner.tokenID
            try await database.write(workspace: nil) { connection in try await TokenStore.touch(id: id, at: now, on: connection) }
            owner.lastUsedAt = now
            let touched = owner
            lookUps.withLock { cache in
                if let entry = cache[key] { cache[key] = (entry.generation, entry.loaded, touched) }
            }
        }
        if let cached = cache.withLock({ $0[key] }), cached.version == owner.accessVersion { return cached.scope }
        let found = owner
        let scope = try await database.read(workspace: found.workspaceID) { connection -> AccessScope? in
            guard let user = try await UserStore.find(id: found.userID, workspaceID: found.workspaceID, on: connection), user.isActive
            else { return nil }
            let system = AccessScope.system(found.workspaceID)
            let grants =
                user.isAdmin ? nil : try await AccessStore.grants(userID: user.id, roleID: user.roleID, scope: system, on: connection)
            var scope = AccessScope(
                workspaceID: found.workspaceID, userID: user.id, isAdmin: user.isAdmin, language: user.language, grants: grants,
                readOnly: found.readOnly, tokenID: found.tokenID)
            scope.userName = user.name
            scope.timeZone = user.timeZone
            return scope
        }
        guard let scope else { throw CRMError.unauthenticated("the token is not valid") }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (owner.accessVersion, scope)
        }
        return scope
    }

    /// The token's row and its workspace's access version. PostgreSQL (many instances): read on
    /// every request. SQLite (the box: one process does every write): kept in process, and
    /// dropped whenever this process changes anything that decides it (`invalidate()`, after the
    /// change commits) and after `lookUpLifetime` in case another process (the command line)
    /// changed the file.
    func lookUp(_ key: String) async throws -> TokenOwner? {
        let current = generation.load(ordering: .acquiring)
        if database.dialect == .sqlite, let entry = lookUps.withLock({ $0[key] }), entry.generation == current,
            ContinuousClock.now - entry.loaded < Self.lookUpLifetime
        {
            return entry.owner
        }
        let owner = try await database.read(workspace: nil) { connection in try await TokenStore.owner(hash: key, on: connection) }
        if database.dialect == .sqlite {
            lookUps.withLock { cache in
                if cache.count > 10_000 { cache.removeAll() }
                if let owner { cache[key] = (current, ContinuousClock.now, owner) } else { cache[key] = nil }
            }
        }
        return owner
    }

    static let lookUpLifetime: Duration = .seconds(5)

    /// Drops every cached token look-up of this process: call after committing a change to
    /// tokens, users, teams, roles, profiles or sharing rules.
    public func invalidate() {
        generation.add(1, ordering: .releasing)
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
