import CRMCore
import Foundation
import Hummingbird

/// Errors of page requests as pages, in the person's language (the API keeps problem+json).
enum ErrorPage {
    static func response(for error: any Error, request: Request, context: AppContext) -> Response {
        let language = context.scope?.language ?? Translator.preferred(acceptLanguage: request.headers[.acceptLanguage])
        let t = Translator(language: language)
        let (status, key): (HTTPResponse.Status, String)
        context.logger.debug("page error", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
        switch error {
        case CRMError.recordNotFound, CRMError.notFound, CRMError.unknownEntity: (status, key) = (.notFound, "error.not_found")
        case CRMError.forbidden: (status, key) = (.forbidden, "error.forbidden")
        case CRMError.payloadTooLarge: (status, key) = (.contentTooLarge, "error.too_large")
        case CRMError.tooManyRequests: (status, key) = (.tooManyRequests, "error.too_many")
        case CRMError.validation, CRMError.badRequest: (status, key) = (.badRequest, "error.bad_request")
        case CRMError.conflict, CRMError.versionConflict: (status, key) = (.conflict, "error.conflict")
        case let error as HTTPError where error.status == .notFound: (status, key) = (.notFound, "error.not_found")
        case let error as HTTPError where error.status == .methodNotAllowed: (status, key) = (.methodNotAllowed, "error.bad_request")
        case let error as any UnavailabilitySignal where error.unavailableReason != nil:
            context.logger.error("database unreachable", metadata: ["error": "\(error)"])
            (status, key) = (.serviceUnavailable, "error.unavailable")
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            (status, key) = (.internalServerError, "error.internal")
        }
        let detail: String
        if case CRMError.forbidden(let message) = error, language == "en" { detail = message } else { detail = t("\(key).detail") }
        let body: HTML = """
            <div class="auth-page"><div class="card">
            <h1>\(t(key))</h1>
            <p>\(detail)</p>
            <p class="meta">\(t("error.request", "\(context.id)"))</p>
            <p><a class="button" href="/">\(t("error.home"))</a></p>
            </div></div>
            """
        return PageResponse.html(Layout.document(t, title: t(key), csrf: nil, body: body), status: status)
    }
}
