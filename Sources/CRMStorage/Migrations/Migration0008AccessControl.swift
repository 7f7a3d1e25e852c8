import CRMCore

/// Access control (issue 13, decision 0008): teams and their members, a role tree, permission
/// profiles and who has them, record shares and sharing rules, each user's role, and a
/// per-workspace access version that every change of these bumps (tokens re-read a person's
/// grants when it moves). Every existing workspace gets a "Full access" default profile given
/// to all its users, so nothing changes for them until an administrator says otherwise.
enum Migration0008AccessControl {
    static let migration = Migration(version: 8, name: "access control") { dialect in
        let uuid = dialect.uuidType
        let time = dialect.timestampType
        let json = dialect.jsonType
        let bigint = dialect.bigintType
        let bool = dialect.boolType
        let yes = dialect == .sqlite ? "1" : "true"
        var statements: [String] = [
            "ALTER TABLE workspaces ADD COLUMN access_version \(bigint) NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN role_id \(uuid)",
            "ALTER TABLE api_tokens ADD COLUMN read_only \(bool) NOT NULL DEFAULT \(dialect == .sqlite ? "0" : "false")",
            """
            CREATE TABLE teams (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, name TEXT NOT NULL, head_id \(uuid),
              created_at \(time) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX teams_name ON teams (workspace_id, name)",
            """
            CREATE TABLE team_members (workspace_id \(uuid) NOT NULL, team_id \(uuid) NOT NULL, user_id \(uuid) NOT NULL,
              PRIMARY KEY (workspace_id, team_id, user_id))
            """,
            "CREATE INDEX team_members_user ON team_members (workspace_id, user_id)",
            """
            CREATE TABLE roles (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, name TEXT NOT NULL, parent_id \(uuid),
              created_at \(time) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            """
            CREATE TABLE profiles (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, name TEXT NOT NULL,
              permissions \(json) NOT NULL, fields \(json) NOT NULL, conditions \(json) NOT NULL,
              is_default \(bool) NOT NULL DEFAULT \(dialect == .sqlite ? "0" : "false"),
              created_at \(time) NOT NULL, updated_at \(time) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX profiles_name ON profiles (workspace_id, name)",
            """
            CREATE TABLE user_profiles (workspace_id \(uuid) NOT NULL, user_id \(uuid) NOT NULL, profile_id \(uuid) NOT NULL,
              PRIMARY KEY (workspace_id, user_id, profile_id))
            """,
            // A grantee is a user or a team; ids never collide, so a visibility check asks for
            // "any of me and my teams" with one IN list.
            """
            CREATE TABLE record_shares (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, entity TEXT NOT NULL,
              record_id \(uuid) NOT NULL, grantee_kind TEXT NOT NULL, grantee_id \(uuid) NOT NULL, access TEXT NOT NULL,
              created_at \(time) NOT NULL, created_by \(uuid), PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX record_shares_record ON record_shares (workspace_id, entity, record_id, grantee_id)",
            "CREATE INDEX record_shares_grantee ON record_shares (workspace_id, grantee_id, entity, record_id, access)",
            """
            CREATE TABLE sharing_rules (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, entity TEXT NOT NULL,
              owner_team_id \(uuid) NOT NULL, grantee_team_id \(uuid) NOT NULL, access TEXT NOT NULL,
              created_at \(time) NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            """
            INSERT INTO profiles (workspace_id, id, name, permissions, fields, conditions, is_default, created_at, updated_at)
            SELECT workspace_id, \(Schema.newID(dialect)), 'Full access', '\(AccessDefaults.fullAccessJSON)', '{}', '{}', \(yes),
              \(Schema.now(dialect)), \(Schema.now(dialect)) FROM workspaces
            """,
            """
            INSERT INTO user_profiles (workspace_id, user_id, profile_id)
            SELECT u.workspace_id, u.id, p.id FROM users u JOIN profiles p ON p.workspace_id = u.workspace_id AND p.is_default = \(yes)
            """,
        ]
        for table in ["teams", "team_members", "roles", "profiles", "user_profiles", "record_shares", "sharing_rules"] {
            statements += Schema.tenantPolicy(table, dialect)
        }
        return statements
    }
}

/// The default profile's rules.
public enum AccessDefaults {
    public static let fullAccess = ProfileRules.fullAccess(entities: BuiltinEntities.all.map(\.pluralName))
    static var fullAccessJSON: String { fullAccess.permissionsJSON.serializedString() }
}
