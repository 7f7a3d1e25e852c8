import CRMCore
import Hummingbird

/// RFC 9457 problem details: the one error format of the API.
struct ProblemDetails: Sendable {
    var status: HTTPResponse.Status
    var code: String
    var title: String
    var detail: String
    var errors: [ValidationIssue] = []
    var extra: JSONObject = JSONObject()
    var retryAfter: Int?

    var json: JSONValue {
        var object = JSONObject()
        object["type"] = .string("urn:clientele:problem:\(code)")
        object["title"] = .string(title)
        object["status"] = .int(Int64(status.code))
        object["detail"] = .string(detail)
        if !errors.isEmpty {
            object["errors"] = .array(
                errors.map { ["field": .string($0.field), "code": .string($0.code), "message": .string($0.message)] })
        }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json.serialized())))
    }

    /// Every domain error maps here, exhaustively: a new case will not compile until it has a status.
    static func from(_ error: CRMError) -> ProblemDetails {
        switch error {
        case .validation(let issues):
            return ProblemDetails(
                status: .unprocessableContent, code: "validation", title: "Invalid input",
                detail: issues.count == 1 ? issues[0].message : "\(issues.count) fields are invalid", errors: issues)
        case .unknownEntity(let name):
            return ProblemDetails(status: .notFound, code: "unknown_entity", title: "Not found", detail: "there is no entity \(name)")
        case .recordNotFound(let entity, let id):
            return ProblemDetails(status: .notFound, code: "not_found", title: "Not found", detail: "\(entity)/\(id) does not exist")
        case .notFound(let detail):
            return ProblemDetails(status: .notFound, code: "not_found", title: "Not found", detail: detail)
        case .versionConflict(let expected, let current):
            return ProblemDetails(
                status: .preconditionFailed, code: "version_conflict", title: "Version conflict",
                detail: "the record is at version \(current), not \(expected); reload it and apply your change again",
                extra: JSONObject([("current_version", .int(current))]))
        case .conflict(let code, let message):
            return ProblemDetails(status: .conflict, code: code, title: "Conflict", detail: message)
        case .unauthenticated(let detail):
            return ProblemDetails(status: .unauthorized, code: "unauthenticated", title: "Unauthenticated", detail: detail)
        case .forbidden(let detail):
            return ProblemDetails(status: .forbidden, code: "forbidden", title: "Forbidden", detail: detail)
        case .badRequest(let code, let message):
            return ProblemDetails(status: .badRequest, code: code, title: "Bad request", detail: message)
        case .payloadTooLarge(let limit):
            return ProblemDetails(
                status: .contentTooLarge, code: "too_large", title: "Body too large", detail: "the body must be at most \(limit) bytes")
        case .unavailable(let detail):
            return ProblemDetails(status: .serviceUnavailable, code: "unavailable", title: "Unavailable", detail: detail)
        case .codeRequired:
            return ProblemDetails(
                status: .unauthorized, code: "code_required", title: "One-time code required",
                detail: "this account signs in with a one-time code too: send it as code (or a recovery code)")
        case .tooManyRequests(let detail, let retryAfter):
            return ProblemDetails(
                status: .tooManyRequests, code: "too_many_attempts", title: "Too many attempts", detail: detail,
                extra: JSONObject([("retry_after", .int(Int64(retryAfter)))]), retryAfter: retryAfter)
        }
    }
}
