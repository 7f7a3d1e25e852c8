import Foundation

/// One sign-in attempt: the sign-in log of a user, and what throttling counts.
public struct SignInAttempt: Sendable, Hashable {
    public var id: UUID
    public var workspaceID: UUID?
    public var email: String
    public var userID: UUID?
    public var address: String
    public var succeeded: Bool
    public var reason: String?
    public var at: Date

    public init(
        id: UUID, workspaceID: UUID?, email: String, userID: UUID?, address: String, succeeded: Bool, reason: String?, at: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.userID = userID
        self.address = address
        self.succeeded = succeeded
        self.reason = reason
        self.at = at
    }
}
