import Foundation

public struct Profile: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var rules: ProfileRules
    public var isDefault: Bool

    public init(id: UUID, name: String, rules: ProfileRules, isDefault: Bool) {
        self.id = id
        self.name = name
        self.rules = rules
        self.isDefault = isDefault
    }
}
