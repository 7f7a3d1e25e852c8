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

/// An error that means the database cannot be reached right now (503, try again): the storage
/// layer's errors say so without the web layer knowing them.
public protocol UnavailabilitySignal: Error {
    /// Why, when this error is one of unavailability; nil otherwise.
    var unavailableReason: String? { get }
}
