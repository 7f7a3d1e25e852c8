import CRMCore
import Hummingbird
import Logging

/// Turns every error into a problem response. Unknown errors become a 500 whose detail names
/// only the request id; the error itself goes to the log.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.problem(for: error, context: context).response()
        }
    }

    /// The one mapping of every error to a problem (the pages render the same status as a page).
    /// Unreachable databases and unknown errors are logged here.
    static func problem(for error: any Error, context: AppContext) -> ProblemDetails {
        switch error {
        case let error as CRMError:
            return ProblemDetails.from(error)
        case let found as DuplicatesFound:
            return ProblemDetails(
                status: .conflict, code: "duplicates", title: "Conflict",
                detail: "likely duplicates exist; nothing was written (create without on_duplicate=refuse to keep both)",
                extra: JSONObject([("duplicates", .array(found.matches.map(\.summaryJSON)))])
            )
        case let error as HTTPError:
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .contentTooLarge: code = "too_large"
            case .methodNotAllowed: code = "method_not_allowed"
            default: code = "http_\(error.status.code)"
            }
            let detail =
                error.status == .contentTooLarge
                ? "the body must be at most \(APIResponse.maximumBodySize) bytes" : (error.body ?? error.status.reasonPhrase)
            return ProblemDetails(status: error.status, code: code, title: error.status.reasonPhrase, detail: detail)
        case let error as any UnavailabilitySignal where error.unavailableReason != nil:
            context.logger.error("database unreachable", metadata: ["error": "\(error.unavailableReason ?? "")"])
            return ProblemDetails(
                status: .serviceUnavailable, code: "unavailable", title: "Unavailable", detail: "the database is unreachable; try again")
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return ProblemDetails(
                status: .internalServerError, code: "internal", title: "Internal error",
                detail: "something went wrong on our side (request \(context.id)); the error is in the server log")
        }
    }
}
