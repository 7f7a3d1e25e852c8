import Foundation

/// Domain errors. No HTTP here: the web layer maps each case to a problem response in one
/// exhaustive switch.
public enum CRMError: Error, Sendable, Equatable {
    case validation([ValidationIssue])
    case unknownEntity(String)
    case recordNotFound(entity: String, id: String)
    case notFound(String)
    case versionConflict(expected: Int64, current: Int64)
    case conflict(code: String, message: String)
    case unauthenticated(String)
    case forbidden(String)
    case badRequest(code: String, message: String)
    case payloadTooLarge(limit: Int)
    case unavailable(String)
    /// Too many attempts (sign-in throttling): try again after `retryAfter` seconds.
    case tooManyRequests(String, retryAfter: Int)
    /// The password was right and the account also needs a one-time code (two-factor sign-in).
    case codeRequired
}
