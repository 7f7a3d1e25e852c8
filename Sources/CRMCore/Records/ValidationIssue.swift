/// One problem with one field of a request; the API lists every issue at once.
public struct ValidationIssue: Sendable, Hashable, Error {
    public var field: String
    public var code: String
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}
