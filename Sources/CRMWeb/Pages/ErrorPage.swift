import CRMCore
import Foundation
import Hummingbird

/// Errors of page requests as pages, in the person's language (the API keeps problem+json).
enum ErrorPage {
    static func response(for error: any Error, request: Request, context: AppContext) -> Response {
        let language = context.scope?.language ?? Translator.preferred(acceptLanguage: request.headers[.acceptLanguage])
        let t = Translator(language: language)
        // The status comes from the API's one mapping; the page says it in the person's words.
        let status = ProblemMiddleware.problem(for: error, context: context).status
        let key: String
        switch status {
        case .notFound: key = "error.not_found"
        case .forbidden: key = "error.forbidden"
        case .contentTooLarge: key = "error.too_large"
        case .tooManyRequests: key = "error.too_many"
        case .conflict, .preconditionFailed: key = "error.conflict"
        case .serviceUnavailable: key = "error.unavailable"
        case .internalServerError: key = "error.internal"
        default: key = "error.bad_request"
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
