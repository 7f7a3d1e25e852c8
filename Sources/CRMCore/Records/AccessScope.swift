import Foundation

/// Who is asking, and in which workspace. Every storage query takes one: there is no way to
/// read or write records without naming the workspace and the caller.
public struct AccessScope: Sendable, Hashable {
    public var workspaceID: UUID
    public var userID: UUID?
    public var isAdmin: Bool
    public var language: String

    public init(workspaceID: UUID, userID: UUID?, isAdmin: Bool, language: String = "en") {
        self.workspaceID = workspaceID
        self.userID = userID
        self.isAdmin = isAdmin
        self.language = language
    }

    /// The scope of server-side work (jobs, command line) inside one workspace.
    public static func system(_ workspaceID: UUID) -> AccessScope {
        AccessScope(workspaceID: workspaceID, userID: nil, isAdmin: true)
    }
}
