import Foundation

/// A session (from signing in) or an API token (made for an integration), as its owner and
/// administrators see it: never the secret, which is stored only as a SHA-256 hash.
public struct APIToken: Sendable, Hashable {
    public enum Kind: String, Sendable { case session, token }
    public var id: UUID
    public var userID: UUID
    public var kind: Kind
    public var name: String
    public var readOnly: Bool
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var idleSeconds: Int64?
    public var revokedAt: Date?
    public var client: String?

    public init(
        id: UUID, userID: UUID, kind: Kind, name: String, readOnly: Bool, createdAt: Date, expiresAt: Date?, lastUsedAt: Date?,
        idleSeconds: Int64?, revokedAt: Date?, client: String?
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.name = name
        self.readOnly = readOnly
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.idleSeconds = idleSeconds
        self.revokedAt = revokedAt
        self.client = client
    }
}
