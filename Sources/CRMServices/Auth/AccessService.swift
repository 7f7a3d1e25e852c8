import CRMCore
import CRMStorage
import Foundation
import HummingbirdBcrypt

/// Users, teams, roles, permission profiles, record shares and sharing rules: the rules that
/// decide what each person may do (decision 0008). Every member may read the lists (owner
/// pickers, team names); only administrators change them. Record shares are made by anyone
/// who may edit the record.
public struct AccessService: Sendable {
    let database: any Database
    let records: RecordService
    let auth: AuthService

    public init(database: any Database, records: RecordService, auth: AuthService) {
        self.database = database
        self.records = records
        self.auth = auth
    }

    static func requireAdmin(_ scope: AccessScope) throws {
        guard scope.isAdmin else { throw CRMError.forbidden("only administrators can change users, teams, roles and profiles") }
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
    }

    // MARK: - Body reading

    /// A request body's object, refusing keys outside `allowed` (every issue at once).
    static func object(_ body: JSONValue, allowed: Set<String>) throws -> JSONObject {
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object")
        }
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw CRMError.validation(unknown.map { ValidationIssue(field: $0, code: "unknown_field", message: "unknown property \($0)") })
        }
        return object
    }

    static func text(_ object: JSONObject, _ key: String, required: Bool, maximum: Int = 200, issues: inout [ValidationIssue]) -> String? {
        guard let value = object[key], value != .null else {
            if required { issues.append(ValidationIssue(field: key, code: "required", message: "\(key) is required")) }
            return nil
        }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text.count <= maximum else {
            issues.append(ValidationIssue(field: key, code: "type", message: "\(key) must be a text of 1 to \(maximum) characters"))
            return nil
        }
        return text
    }

    /// An optional id: `.some(nil)` for an explicit null, nil when the key is absent.
    static func id(_ object: JSONObject, _ key: String, issues: inout [ValidationIssue]) -> UUID?? {
        guard let value = object[key] else { return nil }
        if value == .null { return .some(nil) }
        guard let id = value.stringValue.flatMap(UUID.parse) else {
            issues.append(ValidationIssue(field: key, code: "type", message: "\(key) must be an id or null"))
            return nil
        }
        return .some(id)
    }

    static func ids(_ object: JSONObject, _ key: String, issues: inout [ValidationIssue]) -> [UUID]? {
        guard let value = object[key] else { return nil }
        guard let items = value.arrayValue, items.count <= 1_000 else {
            issues.append(ValidationIssue(field: key, code: "type", message: "\(key) must be a list of ids"))
            return nil
        }
        var result: [UUID] = []
        for (index, item) in items.enumerated() {
            guard let id = item.stringValue.flatMap(UUID.parse) else {
                issues.append(ValidationIssue(field: "\(key)[\(index)]", code: "type", message: "\(key)[\(index)] must be an id"))
                continue
            }
            if !result.contains(id) { result.append(id) }
        }
        return result
    }

    static func bool(_ object: JSONObject, _ key: String, issues: inout [ValidationIssue]) -> Bool? {
        guard let value = object[key] else { return nil }
        guard case .bool(let flag) = value else {
            issues.append(ValidationIssue(field: key, code: "type", message: "\(key) must be true or false"))
            return nil
        }
        return flag
    }

    // MARK: - Users

    public struct UserView: Sendable {
        public var user: User
        public var teamIDs: [UUID]
        public var profileIDs: [UUID]

        public var json: JSONValue {
            [
                "id": .string(user.id.lowercased), "email": .string(user.email), "name": .string(user.name),
                "is_admin": .bool(user.isAdmin), "is_active": .bool(user.isActive),
                "role_id": user.roleID.map { .string($0.lowercased) } ?? .null,
                "team_ids": .array(teamIDs.map { .string($0.lowercased) }),
                "profile_ids": .array(profileIDs.map { .string($0.lowercased) }), "language": .string(user.language),
                "time_zone": .string(user.timeZone), "two_factor": .bool(user.twoFactor),
            ]
        }
    }

    public func users(scope: AccessScope) async throws -> [UserView] {
        try await database.read(workspace: scope.workspaceID) { connection in
            let users = try await UserStore.list(workspaceID: scope.workspaceID, on: connection)
            let teams = try await AccessStore.teams(scope: scope, on: connection)
            let profiles = try await AccessStore.profileIDsByUser(scope: scope, on: connection)
            return users.map { user in
                UserView(
                    user: user, teamIDs: teams.filter { $0.memberIDs.contains(user.id) }.map(\.id), profileIDs: profiles[user.id] ?? [])
            }
        }
    }

    /// Every user of the workspace by id and name, active ones first (owner pickers, names in
    /// lists).
    public func userNames(scope: AccessScope) async throws -> [(id: UUID, name: String, active: Bool)] {
        try await database.read(workspace: scope.workspaceID) { connection in
            try await UserStore.list(workspaceID: scope.workspaceID, on: connection).map { ($0.id, $0.name, $0.isActive) }
        }.sorted { ($0.active ? 0 : 1, $0.name) < ($1.active ? 0 : 1, $1.name) }
    }

    /// A person changes their own password, proving the current one; every other session and
    /// token of theirs ends (the one making the change stays).
    public func changeOwnPassword(current: String, new: String, scope: AccessScope) async throws {
        guard let userID = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
        var issues: [ValidationIssue] = []
        if new.count < 8 || new.utf8.count > AuthService.maximumPasswordBytes {
            issues.append(
                ValidationIssue(
                    field: "new_password", code: "length",
                    message: "password needs 8 characters or more and at most \(AuthService.maximumPasswordBytes) bytes"))
        }
        let user = try await database.read(workspace: scope.workspaceID) { connection in
            try await UserStore.find(id: userID, workspaceID: scope.workspaceID, on: connection)
        }
        guard let user else { throw CRMError.unauthenticated("the token's user no longer exists") }
        if current.utf8.count > AuthService.maximumPasswordBytes || !Bcrypt.verify(current, hash: user.passwordHash) {
            issues.append(ValidationIssue(field: "current_password", code: "wrong", message: "the current password is not right"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let hash = AuthService.hashPassword(new)
        defer { auth.invalidate() }
        try await database.write(workspace: scope.workspaceID) { connection in
            guard var stored = try await UserStore.find(id: userID, workspaceID: scope.workspaceID, on: connection) else { return }
            stored.passwordHash = hash
            try await UserStore.update(stored, on: connection)
            try await TokenStore.revokeAll(userID: userID, workspaceID: scope.workspaceID, except: scope.tokenID, on: connection)
        }
    }

    /// What every person may change about themselves: their name, language and time zone.
    public func updateOwnProfile(name: String, language: String, timeZone: String, scope: AccessScope) async throws -> UserView {
        guard let userID = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        var issues: [ValidationIssue] = []
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.count > 200 {
            issues.append(ValidationIssue(field: "name", code: "required", message: "name is required (at most 200 characters)"))
        }
        if !Self.languages.contains(language) {
            issues.append(ValidationIssue(field: "language", code: "choice", message: "language must be en, ru or bg"))
        }
        if TimeZone(identifier: timeZone) == nil {
            issues.append(ValidationIssue(field: "time_zone", code: "choice", message: "time_zone must be an IANA time zone"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        defer { auth.invalidate() }
        return try await database.write(workspace: scope.workspaceID) { connection in
            guard var user = try await UserStore.find(id: userID, workspaceID: scope.workspaceID, on: connection) else {
                throw CRMError.unauthenticated("the token's user no longer exists")
            }
            user.name = trimmed
            user.language = language
            user.timeZone = timeZone
            try await UserStore.update(user, on: connection)
            // Cached scopes carry the name, language and time zone: make every instance re-read.
            try await AccessStore.bumpVersion(scope: AccessScope.system(scope.workspaceID), on: connection)
            guard let view = try await Self.view(id: userID, scope: scope, on: connection) else {
                throw CRMError.unauthenticated("the token's user no longer exists")
            }
            return view
        }
    }

    public func user(id: UUID, scope: AccessScope) async throws -> UserView {
        let view = try await database.read(workspace: scope.workspaceID) { connection in
            try await Self.view(id: id, scope: scope, on: connection)
        }
        guard let view else { throw CRMError.notFound("no user \(id.lowercased) in this workspace") }
        return view
    }

    static func view(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> UserView? {
        guard let user = try await UserStore.find(id: id, workspaceID: scope.workspaceID, on: connection) else { return nil }
        return UserView(
            user: user, teamIDs: try await AccessStore.teamIDs(userID: id, scope: scope, on: connection),
            profileIDs: try await AccessStore.profileIDs(userID: id, scope: scope, on: connection))
    }

    static let userKeys: Set<String> = [
        "email", "name", "password", "is_admin", "is_active", "active", "role_id", "team_ids", "profile_ids", "language", "time_zone",
    ]
    static let languages: Set<String> = ["en", "ru", "bg"]

    public func createUser(_ body: JSONValue, scope: AccessScope) async throws -> UserView {
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: Self.userKeys)
        var issues: [ValidationIssue] = []
        let email = Self.text(object, "email", required: true, maximum: 255, issues: &issues) ?? ""
        let name = Self.text(object, "name", required: true, issues: &issues) ?? ""
        let password = object["password"]?.stringValue ?? ""
        if object["password"]?.stringValue == nil {
            issues.append(ValidationIssue(field: "password", code: "required", message: "password is required"))
        }
        let changes = Self.userChanges(object, issues: &issues)
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let user = try await auth.createUser(
            email: email, password: password, name: name, isAdmin: changes.isAdmin ?? false, workspaceID: scope.workspaceID
        ) { created, connection in
            var user = created
            try await Self.apply(changes, to: &user, scope: scope, on: connection)
            return user
        }
        return try await self.user(id: user.id, scope: scope)
    }

    struct UserChanges: Sendable {
        var isAdmin: Bool?
        var isActive: Bool?
        var roleID: UUID??
        var teamIDs: [UUID]?
        var profileIDs: [UUID]?
        var language: String?
        var timeZone: String?
    }

    static func userChanges(_ object: JSONObject, issues: inout [ValidationIssue]) -> UserChanges {
        var changes = UserChanges()
        changes.isAdmin = bool(object, "is_admin", issues: &issues)
        changes.isActive = bool(object, "is_active", issues: &issues) ?? bool(object, "active", issues: &issues)
        changes.roleID = id(object, "role_id", issues: &issues)
        changes.teamIDs = ids(object, "team_ids", issues: &issues)
        changes.profileIDs = ids(object, "profile_ids", issues: &issues)
        if let language = text(object, "language", required: false, maximum: 5, issues: &issues) {
            if languages.contains(language) {
                changes.language = language
            } else {
                issues.append(ValidationIssue(field: "language", code: "choice", message: "language is one of en, ru, bg"))
            }
        }
        if let zone = text(object, "time_zone", required: false, maximum: 64, issues: &issues) {
            if TimeZone(identifier: zone) != nil {
                changes.timeZone = zone
            } else {
                issues.append(
                    ValidationIssue(field: "time_zone", code: "choice", message: "time_zone must be an IANA zone such as Europe/Moscow"))
            }
        }
        return changes
    }

    /// Applies role, teams, profiles and flags, checking that each id names something of this
    /// workspace; bumps the access version.
    static func apply(_ changes: UserChanges, to user: inout User, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        var issues: [ValidationIssue] = []
        if case .some(.some(let role)) = changes.roleID {
            let roles = try await AccessStore.allRoles(scope: scope, on: connection)
            if !roles.contains(where: { $0.id == role }) {
                issues.append(ValidationIssue(field: "role_id", code: "reference", message: "role_id is not a role of this workspace"))
            }
        }
        if let teams = changes.teamIDs {
            let known = Set(try await AccessStore.teams(scope: scope, on: connection).map(\.id))
            for (index, team) in teams.enumerated() where !known.contains(team) {
                issues.append(ValidationIssue(field: "team_ids[\(index)]", code: "reference", message: "not a team of this workspace"))
            }
        }
        if let profiles = changes.profileIDs {
            let known = Set(try await AccessStore.profiles(scope: scope, on: connection).map(\.id))
            for (index, profile) in profiles.enumerated() where !known.contains(profile) {
                issues.append(
                    ValidationIssue(field: "profile_ids[\(index)]", code: "reference", message: "not a profile of this workspace"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        if let flag = changes.isAdmin { user.isAdmin = flag }
        if let flag = changes.isActive { user.isActive = flag }
        if case .some(let role) = changes.roleID { user.roleID = role }
        if let language = changes.language { user.language = language }
        if let zone = changes.timeZone { user.timeZone = zone }
        try await UserStore.update(user, on: connection)
        if let teams = changes.teamIDs { try await AccessStore.setTeams(teams, userID: user.id, scope: scope, on: connection) }
        if let profiles = changes.profileIDs { try await AccessStore.setProfiles(profiles, userID: user.id, scope: scope, on: connection) }
        if !user.isActive { try await TokenStore.revokeAll(userID: user.id, workspaceID: scope.workspaceID, on: connection) }
        try await AccessStore.bumpVersion(scope: scope, on: connection)
    }

    public func updateUser(id: UUID, _ body: JSONValue, scope: AccessScope) async throws -> UserView {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: Self.userKeys)
        var issues: [ValidationIssue] = []
        let email = Self.text(object, "email", required: false, maximum: 255, issues: &issues)
        let name = Self.text(object, "name", required: false, issues: &issues)
        var password: String?
        if let value = object["password"] {
            if let text = value.stringValue, text.count >= 8, text.utf8.count <= AuthService.maximumPasswordBytes {
                password = text
            } else {
                issues.append(
                    ValidationIssue(
                        field: "password", code: "length",
                        message: "password needs 8 characters or more and at most \(AuthService.maximumPasswordBytes) bytes"))
            }
        }
        let normalized = email.map { EmailAddress.normalize($0)?.lowercased() }
        if case .some(nil) = normalized {
            issues.append(ValidationIssue(field: "email", code: "format", message: "email must be an e-mail address"))
        }
        let changes = Self.userChanges(object, issues: &issues)
        if changes.isActive == false, id == scope.userID {
            issues.append(ValidationIssue(field: "is_active", code: "self", message: "you cannot deactivate yourself"))
        }
        if changes.isAdmin == false, id == scope.userID {
            issues.append(ValidationIssue(field: "is_admin", code: "self", message: "you cannot take away your own administrator flag"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let hash = password.map(AuthService.hashPassword)
        do {
            try await database.write(workspace: scope.workspaceID) { connection in
                guard var user = try await UserStore.find(id: id, workspaceID: scope.workspaceID, on: connection) else {
                    throw CRMError.notFound("no user \(id.lowercased) in this workspace")
                }
                if case .some(.some(let address)) = normalized { user.email = address }
                if let name { user.name = name }
                if let hash {
                    user.passwordHash = hash
                    // A new password ends every token signed in with the old one (but the one
                    // of the person changing their own password).
                    try await TokenStore.revokeAll(
                        userID: id, workspaceID: scope.workspaceID, except: id == scope.userID ? scope.tokenID : nil, on: connection)
                }
                try await Self.apply(changes, to: &user, scope: scope, on: connection)
            }
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "user_exists", message: "another user of this workspace has that e-mail")
        }
        return try await user(id: id, scope: scope)
    }

    /// Gives everything a user owns (all entities, or the listed ones) to another user, through
    /// the one write path: history shows each change, followers and the new owner are told.
    public func reassign(id: UUID, _ body: JSONValue, scope: AccessScope) async throws -> JSONValue {
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: ["to_user_id", "entities"])
        var issues: [ValidationIssue] = []
        let target = Self.id(object, "to_user_id", issues: &issues) ?? nil
        if target == nil, issues.isEmpty {
            issues.append(ValidationIssue(field: "to_user_id", code: "required", message: "to_user_id is required"))
        }
        let all = try await records.metadata.entities(scope: scope)
        var entities = BuiltinEntities.all.compactMap { all[$0.pluralName] }
        if let list = object["entities"] {
            let names = list.arrayValue?.compactMap(\.stringValue) ?? []
            if names.isEmpty || names.count != list.arrayValue?.count {
                issues.append(ValidationIssue(field: "entities", code: "type", message: "entities must be a list of entity names"))
            }
            for name in names where all[name] == nil {
                issues.append(ValidationIssue(field: "entities", code: "unknown_entity", message: "there is no entity \(name)"))
            }
            entities = entities.filter { names.contains($0.pluralName) }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        guard let target else { throw CRMError.validation(issues) }
        let users = try await database.read(workspace: scope.workspaceID) { connection in
            (
                try await UserStore.find(id: id, workspaceID: scope.workspaceID, on: connection),
                try await UserStore.find(id: target, workspaceID: scope.workspaceID, on: connection)
            )
        }
        guard users.0 != nil else { throw CRMError.notFound("no user \(id.lowercased) in this workspace") }
        guard users.1 != nil else {
            throw CRMError.validation([
                ValidationIssue(field: "to_user_id", code: "reference", message: "to_user_id is not a user of this workspace")
            ])
        }
        var counts = JSONObject()
        for entity in entities {
            var moved = 0
            // Pages of 200 in a transaction each, so a large hand-over does not hold the writer.
            while true {
                let ids = try await database.read(workspace: scope.workspaceID) { connection in
                    try await RecordStore.owned(by: id, entity: entity, limit: 200, scope: scope, on: connection)
                }
                if ids.isEmpty { break }
                moved += try await records.write(scope: scope) { writer in
                    for recordID in ids {
                        _ = try await writer.update(id: recordID, input: ["owner_id": .uuid(target)], expectedVersion: nil, entity: entity)
                    }
                    return ids.count
                }
            }
            counts.append(entity.pluralName, .int(Int64(moved)))
        }
        return ["reassigned": .object(counts)]
    }

    // MARK: - Teams

    public static func json(_ team: Team) -> JSONValue {
        [
            "id": .string(team.id.lowercased), "name": .string(team.name), "head_id": team.headID.map { .string($0.lowercased) } ?? .null,
            "member_ids": .array(team.memberIDs.map { .string($0.lowercased) }),
        ]
    }

    public func teams(scope: AccessScope) async throws -> [Team] {
        try await database.read(workspace: scope.workspaceID) { connection in try await AccessStore.teams(scope: scope, on: connection) }
    }

    public func team(id: UUID, scope: AccessScope) async throws -> Team {
        let team = try await database.read(workspace: scope.workspaceID) { connection in
            try await AccessStore.team(id: id, scope: scope, on: connection)
        }
        guard let team else { throw CRMError.notFound("no team \(id.lowercased) in this workspace") }
        return team
    }

    public func saveTeam(id: UUID?, _ body: JSONValue, scope: AccessScope) async throws -> Team {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: ["name", "head_id", "member_ids"])
        var issues: [ValidationIssue] = []
        let name = Self.text(object, "name", required: id == nil, issues: &issues)
        let head = Self.id(object, "head_id", issues: &issues)
        let members = Self.ids(object, "member_ids", issues: &issues)
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let saved: Team
        do {
            saved = try await database.write(workspace: scope.workspaceID) { connection in
                var team: Team
                if let id {
                    guard let existing = try await AccessStore.team(id: id, scope: scope, on: connection) else {
                        throw CRMError.notFound("no team \(id.lowercased) in this workspace")
                    }
                    team = existing
                } else {
                    team = Team(id: UUIDv7.make(), name: "", headID: nil, memberIDs: [])
                }
                if let name { team.name = name }
                if case .some(let head) = head { team.headID = head }
                if let members { team.memberIDs = members }
                try await Self.checkUsers(
                    ([team.headID].compactMap { $0 }, "head_id"), (team.memberIDs, "member_ids"), scope: scope, on: connection)
                try await AccessStore.save(team, isNew: id == nil, scope: scope, on: connection)
                return team
            }
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "team_exists", message: "a team with that name already exists")
        }
        return try await team(id: saved.id, scope: scope)
    }

    public func deleteTeam(id: UUID, scope: AccessScope) async throws {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let deleted = try await database.write(workspace: scope.workspaceID) { connection in
            try await AccessStore.deleteTeam(id: id, scope: scope, on: connection)
        }
        guard deleted else { throw CRMError.notFound("no team \(id.lowercased) in this workspace") }
    }

    static func checkUsers(_ lists: ([UUID], String)..., scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let known = Set(try await UserStore.list(workspaceID: scope.workspaceID, on: connection).map(\.id))
        var issues: [ValidationIssue] = []
        for (ids, field) in lists {
            for id in ids where !known.contains(id) {
                issues.append(ValidationIssue(field: field, code: "reference", message: "\(id.lowercased) is not a user of this workspace"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
    }

    // MARK: - Roles

    public static func json(_ role: Role) -> JSONValue {
        ["id": .string(role.id.lowercased), "name": .string(role.name), "parent_id": role.parentID.map { .string($0.lowercased) } ?? .null]
    }

    public func roles(scope: AccessScope) async throws -> [Role] {
        try await database.read(workspace: scope.workspaceID) { connection in try await AccessStore.allRoles(scope: scope, on: connection) }
    }

    public func role(id: UUID, scope: AccessScope) async throws -> Role {
        guard let role = try await roles(scope: scope).first(where: { $0.id == id }) else {
            throw CRMError.notFound("no role \(id.lowercased) in this workspace")
        }
        return role
    }

    public func saveRole(id: UUID?, _ body: JSONValue, scope: AccessScope) async throws -> Role {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: ["name", "parent_id"])
        var issues: [ValidationIssue] = []
        let name = Self.text(object, "name", required: id == nil, issues: &issues)
        let parent = Self.id(object, "parent_id", issues: &issues)
        if !issues.isEmpty { throw CRMError.validation(issues) }
        return try await database.write(workspace: scope.workspaceID) { connection in
            let roles = try await AccessStore.allRoles(scope: scope, on: connection)
            var role: Role
            if let id {
                guard let existing = roles.first(where: { $0.id == id }) else {
                    throw CRMError.notFound("no role \(id.lowercased) in this workspace")
                }
                role = existing
            } else {
                role = Role(id: UUIDv7.make(), name: "", parentID: nil)
            }
            if let name { role.name = name }
            if case .some(let parent) = parent { role.parentID = parent }
            if let parentID = role.parentID {
                guard roles.contains(where: { $0.id == parentID }) else {
                    throw CRMError.validation([
                        ValidationIssue(field: "parent_id", code: "reference", message: "parent_id is not a role of this workspace")
                    ])
                }
                if parentID == role.id || AccessStore.descendants(of: role.id, in: roles).contains(parentID) {
                    throw CRMError.validation([
                        ValidationIssue(field: "parent_id", code: "cycle", message: "a role cannot sit below itself")
                    ])
                }
            }
            try await AccessStore.save(role, isNew: id == nil, scope: scope, on: connection)
            return role
        }
    }

    public func deleteRole(id: UUID, scope: AccessScope) async throws {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        try await database.write(workspace: scope.workspaceID) { connection in
            let use = try await AccessStore.roleUse(id: id, scope: scope, on: connection)
            if use.users > 0 || use.children > 0 {
                throw CRMError.conflict(
                    code: "role_in_use", message: "the role has \(use.users) users and \(use.children) roles below it: move them first")
            }
            guard try await AccessStore.deleteRole(id: id, scope: scope, on: connection) else {
                throw CRMError.notFound("no role \(id.lowercased) in this workspace")
            }
        }
    }

    // MARK: - Profiles

    public static func json(_ profile: Profile) -> JSONValue {
        [
            "id": .string(profile.id.lowercased), "name": .string(profile.name), "is_default": .bool(profile.isDefault),
            "permissions": profile.rules.permissionsJSON, "fields": profile.rules.fieldsJSON, "conditions": profile.rules.conditionsJSON,
        ]
    }

    public func profiles(scope: AccessScope) async throws -> [Profile] {
        try await database.read(workspace: scope.workspaceID) { connection in
            try await AccessStore.profiles(scope: scope, on: connection)
        }
    }

    public func profile(id: UUID, scope: AccessScope) async throws -> Profile {
        let profile = try await database.read(workspace: scope.workspaceID) { connection in
            try await AccessStore.profile(id: id, scope: scope, on: connection)
        }
        guard let profile else { throw CRMError.notFound("no profile \(id.lowercased) in this workspace") }
        return profile
    }

    public func saveProfile(id: UUID?, _ body: JSONValue, scope: AccessScope) async throws -> Profile {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: ["name", "permissions", "fields", "conditions"])
        var issues: [ValidationIssue] = []
        let name = Self.text(object, "name", required: id == nil, issues: &issues)
        let entities = try await records.metadata.entities(scope: scope)
        let fieldsOf: (String) -> Set<String>? = { name in entities[name].map { Set($0.fieldNames) } }
        let result = ProfileRules.parse(
            permissions: object["permissions"], fields: object["fields"], conditions: object["conditions"], fieldsOf: fieldsOf)
        if case .failure(.validation(let found)) = result { issues += found }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let parsed = try result.get()
        do {
            return try await database.write(workspace: scope.workspaceID) { connection in
                var profile: Profile
                if let id {
                    guard let existing = try await AccessStore.profile(id: id, scope: scope, on: connection) else {
                        throw CRMError.notFound("no profile \(id.lowercased) in this workspace")
                    }
                    profile = existing
                } else {
                    profile = Profile(id: UUIDv7.make(), name: "", rules: ProfileRules(), isDefault: false)
                }
                if let name { profile.name = name }
                // PATCH replaces the documents it names and keeps the others.
                if id == nil || object["permissions"] != nil { profile.rules.permissions = parsed.permissions }
                if id == nil || object["fields"] != nil { profile.rules.fields = parsed.fields }
                if id == nil || object["conditions"] != nil { profile.rules.conditions = parsed.conditions }
                try await AccessStore.save(profile, isNew: id == nil, scope: scope, on: connection)
                return profile
            }
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "profile_exists", message: "a profile with that name already exists")
        }
    }

    public func deleteProfile(id: UUID, scope: AccessScope) async throws {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        try await database.write(workspace: scope.workspaceID) { connection in
            guard let profile = try await AccessStore.profile(id: id, scope: scope, on: connection) else {
                throw CRMError.notFound("no profile \(id.lowercased) in this workspace")
            }
            if profile.isDefault { throw CRMError.conflict(code: "default_profile", message: "the default profile cannot be deleted") }
            _ = try await AccessStore.deleteProfile(id: id, scope: scope, on: connection)
        }
    }

    // MARK: - Shares

    public static func json(_ share: RecordShare) -> JSONValue {
        [
            "id": .string(share.id.lowercased), "user_id": share.granteeKind == .user ? .string(share.granteeID.lowercased) : .null,
            "team_id": share.granteeKind == .team ? .string(share.granteeID.lowercased) : .null, "access": .string(share.access.rawValue),
        ]
    }

    public func shares(entity pluralName: String, id: UUID, scope: AccessScope) async throws -> [RecordShare] {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        return try await database.read(workspace: scope.workspaceID) { connection in
            guard try await RecordStore.exists(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection) else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            return try await AccessStore.shares(entity: pluralName, recordID: id, scope: scope, on: connection)
        }
    }

    public func share(entity pluralName: String, id: UUID, _ body: JSONValue, scope: AccessScope) async throws -> RecordShare {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        let object = try Self.object(body, allowed: ["user_id", "team_id", "access"])
        var issues: [ValidationIssue] = []
        let user = Self.id(object, "user_id", issues: &issues) ?? nil
        let team = Self.id(object, "team_id", issues: &issues) ?? nil
        if (user == nil) == (team == nil), issues.isEmpty {
            issues.append(ValidationIssue(field: "user_id", code: "required", message: "give exactly one of user_id and team_id"))
        }
        let access = object["access"]?.stringValue.flatMap(AccessAction.init(rawValue:))
        if access != .read && access != .edit {
            issues.append(ValidationIssue(field: "access", code: "choice", message: "access is read or edit"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        return try await records.write(scope: scope) { writer in
            guard
                let record = try await RecordStore.fetch(
                    id: id, entity: entity, scope: scope, access: .visible(.read), on: writer.connection)
            else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
            try await writer.authorize(.edit, record, entity: entity)
            if let user, try await UserStore.find(id: user, workspaceID: scope.workspaceID, on: writer.connection) == nil {
                throw CRMError.validation([
                    ValidationIssue(field: "user_id", code: "reference", message: "user_id is not a user of this workspace")
                ])
            }
            if let team, try await AccessStore.team(id: team, scope: scope, on: writer.connection) == nil {
                throw CRMError.validation([
                    ValidationIssue(field: "team_id", code: "reference", message: "team_id is not a team of this workspace")
                ])
            }
            let share = RecordShare(
                id: UUIDv7.make(), entity: pluralName, recordID: id, granteeKind: user != nil ? .user : .team,
                granteeID: user ?? team!, access: access ?? .read)
            let stored = try await AccessStore.share(share, scope: scope, on: writer.connection)
            try await SearchIndexing.refresh(entity: entity, id: id, scope: scope, on: writer.connection)
            return stored
        }
    }

    public func unshare(entity pluralName: String, id: UUID, shareID: UUID, scope: AccessScope) async throws {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        try await records.write(scope: scope) { writer in
            guard
                let record = try await RecordStore.fetch(
                    id: id, entity: entity, scope: scope, access: .visible(.read), on: writer.connection)
            else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
            try await writer.authorize(.edit, record, entity: entity)
            guard try await AccessStore.unshare(id: shareID, entity: pluralName, recordID: id, scope: scope, on: writer.connection) else {
                throw CRMError.notFound("no share \(shareID.lowercased) on this record")
            }
            try await SearchIndexing.refresh(entity: entity, id: id, scope: scope, on: writer.connection)
        }
    }

    // MARK: - Sharing rules

    public static func json(_ rule: SharingRule) -> JSONValue {
        [
            "id": .string(rule.id.lowercased), "entity": .string(rule.entity), "owner_team_id": .string(rule.ownerTeamID.lowercased),
            "team_id": .string(rule.granteeTeamID.lowercased), "access": .string(rule.access.rawValue),
        ]
    }

    public func sharingRules(scope: AccessScope) async throws -> [SharingRule] {
        try await database.read(workspace: scope.workspaceID) { connection in
            try await AccessStore.sharingRules(scope: scope, on: connection)
        }
    }

    public func createSharingRule(_ body: JSONValue, scope: AccessScope) async throws -> SharingRule {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let object = try Self.object(body, allowed: ["entity", "owner_team_id", "team_id", "access"])
        var issues: [ValidationIssue] = []
        let entities = try await records.metadata.entities(scope: scope)
        let entity = Self.text(object, "entity", required: true, issues: &issues)
        if let entity, entities[entity] == nil {
            issues.append(ValidationIssue(field: "entity", code: "unknown_entity", message: "there is no entity \(entity)"))
        }
        let owner = Self.id(object, "owner_team_id", issues: &issues) ?? nil
        let grantee = Self.id(object, "team_id", issues: &issues) ?? nil
        if owner == nil { issues.append(ValidationIssue(field: "owner_team_id", code: "required", message: "owner_team_id is required")) }
        if grantee == nil { issues.append(ValidationIssue(field: "team_id", code: "required", message: "team_id is required")) }
        let access = object["access"]?.stringValue.flatMap(AccessAction.init(rawValue:))
        if access != .read && access != .edit {
            issues.append(ValidationIssue(field: "access", code: "choice", message: "access is read or edit"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let rule = SharingRule(id: UUIDv7.make(), entity: entity!, ownerTeamID: owner!, granteeTeamID: grantee!, access: access!)
        try await database.write(workspace: scope.workspaceID) { connection in
            for (team, field) in [(rule.ownerTeamID, "owner_team_id"), (rule.granteeTeamID, "team_id")] {
                if try await AccessStore.team(id: team, scope: scope, on: connection) == nil {
                    throw CRMError.validation([
                        ValidationIssue(field: field, code: "reference", message: "\(field) is not a team of this workspace")
                    ])
                }
            }
            try await AccessStore.save(rule, scope: scope, on: connection)
        }
        return rule
    }

    public func deleteSharingRule(id: UUID, scope: AccessScope) async throws {
        defer { auth.invalidate() }
        try Self.requireAdmin(scope)
        let deleted = try await database.write(workspace: scope.workspaceID) { connection in
            try await AccessStore.deleteSharingRule(id: id, scope: scope, on: connection)
        }
        guard deleted else { throw CRMError.notFound("no sharing rule \(id.lowercased) in this workspace") }
    }

    // MARK: - Tokens and sessions

    public static func json(_ token: APIToken, current: UUID?) -> JSONValue {
        [
            "id": .string(token.id.lowercased), "user_id": .string(token.userID.lowercased), "kind": .string(token.kind.rawValue),
            "name": .string(token.name), "read_only": .bool(token.readOnly), "created_at": .string(Timestamps.format(token.createdAt)),
            "expires_at": token.expiresAt.map { .string(Timestamps.format($0)) } ?? .null,
            "last_used_at": token.lastUsedAt.map { .string(Timestamps.format($0)) } ?? .null,
            "client": token.client.map { .string($0) } ?? .null, "current": .bool(token.id == current),
        ]
    }

    /// The caller's own tokens or sessions; administrators may ask for anyone's in the workspace
    /// (`userID`), or everyone's (`all`).
    public func tokens(kind: APIToken.Kind?, userID: UUID?, all: Bool = false, scope: AccessScope) async throws -> [APIToken] {
        guard let me = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        let owner = all ? nil : (userID ?? me)
        if owner != me, !scope.isAdmin { throw CRMError.forbidden("only administrators can see other people's tokens") }
        return try await database.read(workspace: nil) { connection in
            try await TokenStore.list(workspaceID: scope.workspaceID, userID: owner, kind: kind, on: connection)
        }
    }

    /// A new API token of the caller: `{"name", "read_only"?, "expires_at"?}`; the secret is in
    /// the answer once.
    public func createToken(_ body: JSONValue, scope: AccessScope) async throws -> (token: String, record: APIToken) {
        guard let me = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
        let object = try Self.object(body, allowed: ["name", "read_only", "expires_at"])
        var issues: [ValidationIssue] = []
        let name = Self.text(object, "name", required: true, maximum: 100, issues: &issues) ?? ""
        let readOnly = Self.bool(object, "read_only", issues: &issues) ?? false
        var expiresAt: Date?
        if let value = object["expires_at"], value != .null {
            if let text = value.stringValue, let date = Timestamps.parse(text), date > Date() {
                expiresAt = date
            } else {
                issues.append(
                    ValidationIssue(field: "expires_at", code: "format", message: "expires_at must be a future ISO 8601 date-time"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let made = try await auth.createToken(
            userID: me, workspaceID: scope.workspaceID, name: name, expiresAt: expiresAt, kind: .token, readOnly: readOnly)
        let record = try await tokens(kind: .token, userID: me, scope: scope).first { $0.id == made.id }
        guard let record else { throw CRMError.notFound("the new token is gone") }
        return (made.token, record)
    }

    /// Revokes a token or session: the caller's own, or (administrators) anyone's in the workspace.
    public func revokeToken(id: UUID, kind: APIToken.Kind?, scope: AccessScope) async throws {
        defer { auth.invalidate() }
        guard let me = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        if id == scope.tokenID {
            throw CRMError.conflict(code: "current_token", message: "this request uses that token: sign out with POST /api/v1/auth/logout")
        }
        let owner: UUID? = scope.isAdmin ? nil : me
        let revoked = try await database.write(workspace: nil) { connection in
            if let kind {
                let found = try await TokenStore.list(workspaceID: scope.workspaceID, userID: owner, kind: kind, on: connection)
                guard found.contains(where: { $0.id == id }) else { return false }
            }
            return try await TokenStore.revoke(id: id, userID: owner, workspaceID: scope.workspaceID, on: connection)
        }
        guard revoked else { throw CRMError.notFound("no \(kind?.rawValue ?? "token") \(id.lowercased) of yours") }
    }

    /// A user's sign-ins and failures (their own; administrators anyone's).
    public func signIns(userID: UUID?, limit: Int, scope: AccessScope) async throws -> [SignInAttempt] {
        guard let me = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        let user = userID ?? me
        if user != me, !scope.isAdmin { throw CRMError.forbidden("only administrators can see other people's sign-ins") }
        guard (1...500).contains(limit) else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 500")])
        }
        return try await database.read(workspace: nil) { connection in
            try await SignInStore.log(userID: user, workspaceID: scope.workspaceID, limit: limit, on: connection)
        }
    }

    public static func json(_ attempt: SignInAttempt) -> JSONValue {
        [
            "id": .string(attempt.id.lowercased), "at": .string(Timestamps.format(attempt.at)), "succeeded": .bool(attempt.succeeded),
            "reason": attempt.reason.map { .string($0) } ?? .null, "address": .string(attempt.address),
        ]
    }

    // MARK: - Two-factor sign-in

    public func beginTwoFactor(scope: AccessScope) async throws -> JSONValue {
        guard let me = scope.userID, !scope.readOnly else { throw CRMError.forbidden("a read-only token cannot change sign-in") }
        let view = try await user(id: me, scope: scope)
        let started = try await auth.beginTwoFactor(userID: me, workspaceID: scope.workspaceID, label: view.user.email)
        return ["secret": .string(started.secret), "otpauth_uri": .string(started.uri)]
    }

    public func confirmTwoFactor(_ body: JSONValue, scope: AccessScope) async throws -> JSONValue {
        guard let me = scope.userID, !scope.readOnly else { throw CRMError.forbidden("a read-only token cannot change sign-in") }
        let object = try Self.object(body, allowed: ["code"])
        var issues: [ValidationIssue] = []
        let code = Self.text(object, "code", required: true, maximum: 40, issues: &issues) ?? ""
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let codes = try await auth.confirmTwoFactor(code: code, userID: me, workspaceID: scope.workspaceID)
        return ["recovery_codes": .array(codes.map { .string($0) })]
    }

    public func disableTwoFactor(_ body: JSONValue, scope: AccessScope) async throws {
        guard let me = scope.userID, !scope.readOnly else { throw CRMError.forbidden("a read-only token cannot change sign-in") }
        let object = try Self.object(body, allowed: ["code"])
        var issues: [ValidationIssue] = []
        let code = Self.text(object, "code", required: true, maximum: 40, issues: &issues)
        if !issues.isEmpty { throw CRMError.validation(issues) }
        try await auth.disableTwoFactor(code: code, verified: false, userID: me, workspaceID: scope.workspaceID)
    }

    /// An administrator turns someone's two-factor sign-in off (a lost phone).
    public func resetTwoFactor(userID: UUID, scope: AccessScope) async throws {
        try Self.requireAdmin(scope)
        _ = try await user(id: userID, scope: scope)
        try await auth.disableTwoFactor(code: nil, verified: true, userID: userID, workspaceID: scope.workspaceID)
    }

    // MARK: - Me

    /// The caller and what they may do, for clients that hide what cannot be done.
    public func me(scope: AccessScope) async throws -> JSONValue {
        guard let userID = scope.userID else { throw CRMError.unauthenticated("the token has no user") }
        let view = try await user(id: userID, scope: scope)
        let entities = try await records.metadata.entities(scope: scope)
        var permissions = JSONObject()
        var fields = JSONObject()
        var conditions = JSONObject()
        for entity in BuiltinEntities.all.compactMap({ entities[$0.pluralName] }) {
            let name = entity.pluralName
            var actions = JSONObject()
            for action in AccessAction.allCases {
                let level: AccessLevel = scope.grants?.rules.widest(name, action) ?? .all
                actions.append(
                    action.rawValue, .string((scope.readOnly && action != .read && level != .none ? AccessLevel.none : level).rawValue))
            }
            permissions.append(name, .object(actions))
            if let rules = scope.grants?.rules.fields[name], !rules.isEmpty {
                var entries = JSONObject()
                for (field, rule) in rules.sorted(by: { $0.key < $1.key }) { entries.append(field, .string(rule.rawValue)) }
                fields.append(name, .object(entries))
            }
            if let byAction = scope.grants?.rules.conditions[name], !byAction.isEmpty {
                var entries = JSONObject()
                for action in AccessAction.allCases {
                    if let list = byAction[action] { entries.append(action.rawValue, .array(list.map(\.json))) }
                }
                conditions.append(name, .object(entries))
            }
        }
        guard case .object(var body) = view.json else { return view.json }
        body["permissions"] = .object(permissions)
        body["fields"] = .object(fields)
        body["conditions"] = .object(conditions)
        body["read_only_token"] = .bool(scope.readOnly)
        return .object(body)
    }
}
