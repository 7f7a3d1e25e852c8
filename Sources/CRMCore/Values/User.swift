import Foundation

public struct User: Sendable, Hashable {
    public var workspaceID: UUID
    public var id: UUID
    public var email: String
    public var name: String
    public var passwordHash: String
    public var isAdmin: Bool
    public var language: String
    public var timeZone: String
    public var isActive: Bool
    public var roleID: UUID?
    /// Signs in with a one-time code too (read only; changed through `setTwoFactor`).
    public var twoFactor: Bool = false

    public init(
        workspaceID: UUID, id: UUID, email: String, name: String, passwordHash: String, isAdmin: Bool, language: String,
        timeZone: String, isActive: Bool, roleID: UUID? = nil, twoFactor: Bool = false
    ) {
        self.roleID = roleID
        self.twoFactor = twoFactor
        self.workspaceID = workspaceID
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
        self.language = language
        self.timeZone = timeZone
        self.isActive = isActive
    }
}
