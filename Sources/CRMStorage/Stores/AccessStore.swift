import CRMCore
import Foundation

/// "Records of `entity` owned by members of one team are open to another team."
public struct SharingRule: Sendable, Hashable {
    public var id: UUID
    public var entity: String
    public var ownerTeamID: UUID
    public var granteeTeamID: UUID
    public var access: AccessAction

    public init(id: UUID, entity: String, ownerTeamID: UUID, granteeTeamID: UUID, access: AccessAction) {
        self.id = id
        self.entity = entity
        self.ownerTeamID = ownerTeamID
        self.granteeTeamID = granteeTeamID
        self.access = access
    }
}

/// Teams, roles, profiles, shares and sharing rules, and the grants of one person drawn from
/// them. Every change to what decides grants bumps the workspace's `access_version`, in the
/// same transaction, so each instance notices it on the next request (`TokenStore.owner`).
public enum AccessStore {
    // MARK: - Version

    public static func bumpVersion(scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "UPDATE workspaces SET access_version = access_version + 1 WHERE workspace_id = \(.uuid(scope.workspaceID))")
    }

    // MARK: - Grants

    /// Everything that decides what one user may do, in a handful of small reads.
    public static func grants(userID: UUID, roleID: UUID?, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> Grants
    {
        let workspace = SQLValue.uuid(scope.workspaceID)
        let profiles = try await connection.query(
            """
            SELECT p.permissions, p.fields, p.conditions FROM user_profiles up JOIN profiles p
              ON p.workspace_id = up.workspace_id AND p.id = up.profile_id
            WHERE up.workspace_id = \(workspace) AND up.user_id = \(.uuid(userID))
            """
        ).map(decodeRules)
        let teamIDs = try await connection.query(
            "SELECT team_id FROM team_members WHERE workspace_id = \(workspace) AND user_id = \(.uuid(userID))"
        ).compactMap { $0.uuid("team_id") }
        var teammates: Set<UUID> = [userID]
        if !teamIDs.isEmpty {
            teammates.formUnion(try await members(of: teamIDs, scope: scope, on: connection))
        }
        var subordinates: [UUID] = []
        if let roleID {
            let roles = try await allRoles(scope: scope, on: connection)
            let below = descendants(of: roleID, in: roles)
            if !below.isEmpty {
                var sql: SQLFragment = "SELECT id FROM users WHERE workspace_id = \(workspace) AND role_id IN ("
                sql.append(SQLFragment.joined(below.map { "\(.uuid($0))" }, separator: ", "))
                sql.append(")")
                subordinates = try await connection.query(sql).compactMap { $0.uuid("id") }.filter { $0 != userID }
            }
        }
        var ruleOwners: [String: [AccessAction: [UUID]]] = [:]
        if !teamIDs.isEmpty {
            var sql: SQLFragment =
                "SELECT entity, owner_team_id, access FROM sharing_rules WHERE workspace_id = \(workspace) AND grantee_team_id IN ("
            sql.append(SQLFragment.joined(teamIDs.map { "\(.uuid($0))" }, separator: ", "))
            sql.append(")")
            let rules = try await connection.query(sql).compactMap { row -> (String, UUID, AccessAction)? in
                guard let entity = row.string("entity"), let team = row.uuid("owner_team_id"),
                    let access = row.string("access").flatMap(AccessAction.init(rawValue:))
                else { return nil }
                return (entity, team, access)
            }
            // The members of every owner team in one statement, not one per rule.
            let ownerTeams = Set(rules.map(\.1))
            var membersByTeam: [UUID: [UUID]] = [:]
            if !ownerTeams.isEmpty {
                var members: SQLFragment = "SELECT team_id, user_id FROM team_members WHERE workspace_id = \(workspace) AND team_id IN ("
                members.append(SQLFragment.joined(ownerTeams.sorted().map { "\(.uuid($0))" }, separator: ", "))
                members.append(")")
                for row in try await connection.query(members) {
                    if let team = row.uuid("team_id"), let user = row.uuid("user_id") { membersByTeam[team, default: []].append(user) }
                }
            }
            for (entity, team, access) in rules {
                ruleOwners[entity, default: [:]][access, default: []] += membersByTeam[team] ?? []
            }
        }
        return Grants(
            userID: userID, rules: EffectiveRules(profiles: profiles), teamIDs: teamIDs, teammateIDs: teammates.sorted(),
            subordinateIDs: subordinates, ruleOwners: ruleOwners, roleID: roleID)
    }

    static func members(of teams: [UUID], scope: AccessScope, on connection: any DatabaseConnection) async throws -> [UUID] {
        var sql: SQLFragment = "SELECT DISTINCT user_id FROM team_members WHERE workspace_id = \(.uuid(scope.workspaceID)) AND team_id IN ("
        sql.append(SQLFragment.joined(teams.map { "\(.uuid($0))" }, separator: ", "))
        sql.append(")")
        return try await connection.query(sql).compactMap { $0.uuid("user_id") }
    }

    /// Every role below `role`, at any depth (not `role` itself). A loop (which the API refuses)
    /// ends the walk instead of running forever.
    public static func descendants(of role: UUID, in roles: [Role]) -> Set<UUID> {
        var children: [UUID: [UUID]] = [:]
        for item in roles { if let parent = item.parentID { children[parent, default: []].append(item.id) } }
        var found = Set<UUID>()
        var queue = children[role] ?? []
        while let next = queue.popLast() {
            guard next != role, found.insert(next).inserted else { continue }
            queue += children[next] ?? []
        }
        return found
    }

    // MARK: - Teams

    public static func teams(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [Team] {
        let workspace = SQLValue.uuid(scope.workspaceID)
        var members: [UUID: [UUID]] = [:]
        for row in try await connection.query("SELECT team_id, user_id FROM team_members WHERE workspace_id = \(workspace)") {
            if let team = row.uuid("team_id"), let user = row.uuid("user_id") { members[team, default: []].append(user) }
        }
        return try await connection.query("SELECT id, name, head_id FROM teams WHERE workspace_id = \(workspace) ORDER BY name, id")
            .compactMap { row in
                guard let id = row.uuid("id") else { return nil }
                return Team(id: id, name: row.string("name") ?? "", headID: row.uuid("head_id"), memberIDs: (members[id] ?? []).sorted())
            }
    }

    public static func team(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> Team? {
        guard
            let row = try await connection.first(
                "SELECT id, name, head_id FROM teams WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))")
        else { return nil }
        let members = try await connection.query(
            "SELECT user_id FROM team_members WHERE workspace_id = \(.uuid(scope.workspaceID)) AND team_id = \(.uuid(id)) ORDER BY user_id"
        ).compactMap { $0.uuid("user_id") }
        return Team(id: id, name: row.string("name") ?? "", headID: row.uuid("head_id"), memberIDs: members.sorted())
    }

    /// Inserts or replaces a team and its member list.
    public static func save(_ team: Team, isNew: Bool, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        if isNew {
            try await connection.execute(
                "INSERT INTO teams (workspace_id, id, name, head_id, created_at) VALUES (\(workspace), \(.uuid(team.id)), \(.text(team.name)), \(.optional(team.headID)), \(.timestamp(Timestamps.now())))"
            )
        } else {
            try await connection.execute(
                "UPDATE teams SET name = \(.text(team.name)), head_id = \(.optional(team.headID)) WHERE workspace_id = \(workspace) AND id = \(.uuid(team.id))"
            )
            try await connection.execute("DELETE FROM team_members WHERE workspace_id = \(workspace) AND team_id = \(.uuid(team.id))")
        }
        for member in Set(team.memberIDs) {
            try await connection.execute(
                "INSERT INTO team_members (workspace_id, team_id, user_id) VALUES (\(workspace), \(.uuid(team.id)), \(.uuid(member)))")
        }
        try await bumpVersion(scope: scope, on: connection)
    }

    public static func deleteTeam(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> Bool {
        let workspace = SQLValue.uuid(scope.workspaceID)
        try await connection.execute("DELETE FROM team_members WHERE workspace_id = \(workspace) AND team_id = \(.uuid(id))")
        try await connection.execute(
            "DELETE FROM sharing_rules WHERE workspace_id = \(workspace) AND (owner_team_id = \(.uuid(id)) OR grantee_team_id = \(.uuid(id)))"
        )
        try await connection.execute("DELETE FROM record_shares WHERE workspace_id = \(workspace) AND grantee_id = \(.uuid(id))")
        let deleted = try await !connection.query("DELETE FROM teams WHERE workspace_id = \(workspace) AND id = \(.uuid(id)) RETURNING id")
            .isEmpty
        try await bumpVersion(scope: scope, on: connection)
        return deleted
    }

    /// The teams a user belongs to.
    public static func teamIDs(userID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [UUID] {
        try await connection.query(
            "SELECT team_id FROM team_members WHERE workspace_id = \(.uuid(scope.workspaceID)) AND user_id = \(.uuid(userID)) ORDER BY team_id"
        ).compactMap { $0.uuid("team_id") }
    }

    /// Replaces a user's team memberships.
    public static func setTeams(_ teams: [UUID], userID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        try await connection.execute("DELETE FROM team_members WHERE workspace_id = \(workspace) AND user_id = \(.uuid(userID))")
        for team in Set(teams) {
            try await connection.execute(
                "INSERT INTO team_members (workspace_id, team_id, user_id) VALUES (\(workspace), \(.uuid(team)), \(.uuid(userID)))")
        }
    }

    // MARK: - Roles

    public static func allRoles(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [Role] {
        try await connection.query(
            "SELECT id, name, parent_id FROM roles WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY name, id"
        ).compactMap { row in row.uuid("id").map { Role(id: $0, name: row.string("name") ?? "", parentID: row.uuid("parent_id")) } }
    }

    public static func save(_ role: Role, isNew: Bool, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        if isNew {
            try await connection.execute(
                "INSERT INTO roles (workspace_id, id, name, parent_id, created_at) VALUES (\(workspace), \(.uuid(role.id)), \(.text(role.name)), \(.optional(role.parentID)), \(.timestamp(Timestamps.now())))"
            )
        } else {
            try await connection.execute(
                "UPDATE roles SET name = \(.text(role.name)), parent_id = \(.optional(role.parentID)) WHERE workspace_id = \(workspace) AND id = \(.uuid(role.id))"
            )
        }
        try await bumpVersion(scope: scope, on: connection)
    }

    public static func deleteRole(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> Bool {
        let deleted = try await !connection.query(
            "DELETE FROM roles WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id)) RETURNING id"
        ).isEmpty
        try await bumpVersion(scope: scope, on: connection)
        return deleted
    }

    /// How many users hold a role and how many roles sit under it (a role in use is not deleted).
    public static func roleUse(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> (
        users: Int, children: Int
    ) {
        let workspace = SQLValue.uuid(scope.workspaceID)
        let users = try await connection.first(
            "SELECT COUNT(*) AS n FROM users WHERE workspace_id = \(workspace) AND role_id = \(.uuid(id))")
        let children = try await connection.first(
            "SELECT COUNT(*) AS n FROM roles WHERE workspace_id = \(workspace) AND parent_id = \(.uuid(id))")
        return (Int(users?.int("n") ?? 0), Int(children?.int("n") ?? 0))
    }

    // MARK: - Profiles

    public static func profiles(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [Profile] {
        try await connection.query(
            "SELECT * FROM profiles WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY is_default DESC, name, id"
        ).compactMap(decodeProfile)
    }

    public static func profile(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> Profile? {
        try await connection.first("SELECT * FROM profiles WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))")
            .flatMap(decodeProfile)
    }

    /// The workspace's default profile, made ("Full access") the first time one is needed.
    public static func defaultProfileID(scope: AccessScope, on connection: any DatabaseConnection) async throws -> UUID {
        if let row = try await connection.first(
            "SELECT id FROM profiles WHERE workspace_id = \(.uuid(scope.workspaceID)) AND is_default = \(.bool(true))"),
            let id = row.uuid("id")
        {
            return id
        }
        let profile = Profile(id: UUIDv7.make(), name: "Full access", rules: AccessDefaults.fullAccess, isDefault: true)
        try await save(profile, isNew: true, scope: scope, on: connection)
        return profile.id
    }

    public static func save(_ profile: Profile, isNew: Bool, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        let now = Timestamps.now()
        let permissions = SQLValue.json(profile.rules.permissionsJSON.serializedString())
        let fields = SQLValue.json(profile.rules.fieldsJSON.serializedString())
        let conditions = SQLValue.json(profile.rules.conditionsJSON.serializedString())
        if isNew {
            try await connection.execute(
                """
                INSERT INTO profiles (workspace_id, id, name, permissions, fields, conditions, is_default, created_at, updated_at)
                VALUES (\(workspace), \(.uuid(profile.id)), \(.text(profile.name)), \(permissions), \(fields), \(conditions),
                \(.bool(profile.isDefault)), \(.timestamp(now)), \(.timestamp(now)))
                """)
        } else {
            try await connection.execute(
                """
                UPDATE profiles SET name = \(.text(profile.name)), permissions = \(permissions), fields = \(fields),
                conditions = \(conditions), updated_at = \(.timestamp(now)) WHERE workspace_id = \(workspace) AND id = \(.uuid(profile.id))
                """)
        }
        try await bumpVersion(scope: scope, on: connection)
    }

    public static func deleteProfile(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> Bool {
        let workspace = SQLValue.uuid(scope.workspaceID)
        try await connection.execute("DELETE FROM user_profiles WHERE workspace_id = \(workspace) AND profile_id = \(.uuid(id))")
        let deleted = try await !connection.query(
            "DELETE FROM profiles WHERE workspace_id = \(workspace) AND id = \(.uuid(id)) RETURNING id"
        ).isEmpty
        try await bumpVersion(scope: scope, on: connection)
        return deleted
    }

    public static func profileIDs(userID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [UUID] {
        try await connection.query(
            "SELECT profile_id FROM user_profiles WHERE workspace_id = \(.uuid(scope.workspaceID)) AND user_id = \(.uuid(userID)) ORDER BY profile_id"
        ).compactMap { $0.uuid("profile_id") }
    }

    /// Every user's profiles, in one statement (the users list).
    public static func profileIDsByUser(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [UUID: [UUID]] {
        var result: [UUID: [UUID]] = [:]
        for row in try await connection.query(
            "SELECT user_id, profile_id FROM user_profiles WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY profile_id")
        {
            if let user = row.uuid("user_id"), let profile = row.uuid("profile_id") { result[user, default: []].append(profile) }
        }
        return result
    }

    public static func setProfiles(_ profiles: [UUID], userID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        let workspace = SQLValue.uuid(scope.workspaceID)
        try await connection.execute("DELETE FROM user_profiles WHERE workspace_id = \(workspace) AND user_id = \(.uuid(userID))")
        for profile in Set(profiles) {
            try await connection.execute(
                "INSERT INTO user_profiles (workspace_id, user_id, profile_id) VALUES (\(workspace), \(.uuid(userID)), \(.uuid(profile)))")
        }
    }

    static func decodeRules(_ row: SQLRow) -> ProfileRules {
        func document(_ column: String) -> JSONValue? { row.string(column).flatMap { try? JSONValue.parse($0) } }
        return
            (try? ProfileRules.parse(
                permissions: document("permissions"), fields: document("fields"), conditions: document("conditions"), fieldsOf: nil
            ).get()) ?? ProfileRules()
    }

    static func decodeProfile(_ row: SQLRow) -> Profile? {
        guard let id = row.uuid("id") else { return nil }
        return Profile(id: id, name: row.string("name") ?? "", rules: decodeRules(row), isDefault: row.bool("is_default") ?? false)
    }

    // MARK: - Shares

    public static func shares(entity: String, recordID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> [RecordShare]
    {
        try await connection.query(
            """
            SELECT id, entity, record_id, grantee_kind, grantee_id, access FROM record_shares
            WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id = \(.uuid(recordID)) ORDER BY id
            """
        ).compactMap(decodeShare)
    }

    /// Adds a share, or changes the access of the grantee's existing one.
    public static func share(_ share: RecordShare, scope: AccessScope, on connection: any DatabaseConnection) async throws -> RecordShare {
        let workspace = SQLValue.uuid(scope.workspaceID)
        if let existing = try await connection.first(
            """
            SELECT id FROM record_shares WHERE workspace_id = \(workspace) AND entity = \(.text(share.entity))
            AND record_id = \(.uuid(share.recordID)) AND grantee_id = \(.uuid(share.granteeID))
            """), let id = existing.uuid("id")
        {
            try await connection.execute(
                "UPDATE record_shares SET access = \(.text(share.access.rawValue)) WHERE workspace_id = \(workspace) AND id = \(.uuid(id))")
            var updated = share
            updated.id = id
            return updated
        }
        try await connection.execute(
            """
            INSERT INTO record_shares (workspace_id, id, entity, record_id, grantee_kind, grantee_id, access, created_at, created_by)
            VALUES (\(workspace), \(.uuid(share.id)), \(.text(share.entity)), \(.uuid(share.recordID)), \(.text(share.granteeKind.rawValue)),
            \(.uuid(share.granteeID)), \(.text(share.access.rawValue)), \(.timestamp(Timestamps.now())), \(.optional(scope.userID)))
            """)
        return share
    }

    public static func unshare(id: UUID, entity: String, recordID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Bool
    {
        try await !connection.query(
            """
            DELETE FROM record_shares WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))
            AND entity = \(.text(entity)) AND record_id = \(.uuid(recordID)) RETURNING id
            """
        ).isEmpty
    }

    /// Whether a record is shared with the caller (or one of their teams) for `access`.
    public static func isShared(
        entity: String, recordID: UUID, access: AccessAction, grants: Grants, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> Bool {
        var sql: SQLFragment = """
            SELECT 1 AS found FROM record_shares WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity))
            AND record_id = \(.uuid(recordID)) AND grantee_id IN (
            """
        sql.append(SQLFragment.joined(([grants.userID] + grants.teamIDs).map { "\(.uuid($0))" }, separator: ", "))
        sql.append(")")
        if access == .edit { sql.append(" AND access = 'edit'") }
        return try await connection.first(sql) != nil
    }

    static func decodeShare(_ row: SQLRow) -> RecordShare? {
        guard let id = row.uuid("id"), let recordID = row.uuid("record_id"), let grantee = row.uuid("grantee_id"),
            let kind = row.string("grantee_kind").flatMap(RecordShare.Grantee.init(rawValue:)),
            let access = row.string("access").flatMap(AccessAction.init(rawValue:))
        else { return nil }
        return RecordShare(
            id: id, entity: row.string("entity") ?? "", recordID: recordID, granteeKind: kind, granteeID: grantee, access: access)
    }

    // MARK: - Sharing rules

    public static func sharingRules(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [SharingRule] {
        try await connection.query(
            "SELECT id, entity, owner_team_id, grantee_team_id, access FROM sharing_rules WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY id"
        ).compactMap { row in
            guard let id = row.uuid("id"), let owner = row.uuid("owner_team_id"), let grantee = row.uuid("grantee_team_id"),
                let access = row.string("access").flatMap(AccessAction.init(rawValue:))
            else { return nil }
            return SharingRule(id: id, entity: row.string("entity") ?? "", ownerTeamID: owner, granteeTeamID: grantee, access: access)
        }
    }

    public static func save(_ rule: SharingRule, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO sharing_rules (workspace_id, id, entity, owner_team_id, grantee_team_id, access, created_at)
            VALUES (\(.uuid(scope.workspaceID)), \(.uuid(rule.id)), \(.text(rule.entity)), \(.uuid(rule.ownerTeamID)),
            \(.uuid(rule.granteeTeamID)), \(.text(rule.access.rawValue)), \(.timestamp(Timestamps.now())))
            """)
        try await bumpVersion(scope: scope, on: connection)
    }

    public static func deleteSharingRule(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> Bool {
        let deleted = try await !connection.query(
            "DELETE FROM sharing_rules WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id)) RETURNING id"
        ).isEmpty
        try await bumpVersion(scope: scope, on: connection)
        return deleted
    }
}
