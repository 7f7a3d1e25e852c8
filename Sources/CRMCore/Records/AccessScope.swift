import Foundation

/// Who is asking, and in which workspace. Every storage query takes one: there is no way to
/// read or write records without naming the workspace and the caller.
///
/// `grants` holds what the caller may do (profiles, teams, roles, sharing rules); nil means
/// everything in the workspace: administrators, jobs and the command line.
public struct AccessScope: Sendable, Hashable {
    public var workspaceID: UUID
    public var userID: UUID?
    public var isAdmin: Bool
    public var language: String
    public var grants: Grants?
    /// Tokens made read-only refuse every write.
    public var readOnly: Bool
    /// The token or session the request came with (nil for jobs and the command line).
    public var tokenID: UUID?
    /// The caller's name and time zone (pages show them and write times in it).
    public var userName: String = ""
    public var timeZone: String = "UTC"

    public init(
        workspaceID: UUID, userID: UUID?, isAdmin: Bool, language: String = "en", grants: Grants? = nil, readOnly: Bool = false,
        tokenID: UUID? = nil
    ) {
        self.tokenID = tokenID
        self.workspaceID = workspaceID
        self.userID = userID
        self.isAdmin = isAdmin
        self.language = language
        self.grants = isAdmin ? nil : grants
        self.readOnly = readOnly
    }

    /// The scope of server-side work (jobs, command line) inside one workspace.
    public static func system(_ workspaceID: UUID) -> AccessScope {
        AccessScope(workspaceID: workspaceID, userID: nil, isAdmin: true)
    }

    /// Whether an action is open to the caller at all on an entity (some scope other than none).
    public func may(_ action: AccessAction, on entity: String) -> Bool {
        guard let grants else { return true }
        return !grants.rules.levels(entity, action).isEmpty
    }

    public func hiddenFields(_ entity: String) -> Set<String> { grants?.rules.hiddenFields(entity) ?? [] }
    public func readOnlyFields(_ entity: String) -> Set<String> { grants?.rules.readOnlyFields(entity) ?? [] }
}
