import CRMCore
import CRMServices
import Hummingbird
import Synchronization

/// What every page request goes through (API paths pass by untouched): the first-run check,
/// the session cookie to the caller's scope, the sign-in redirect, and errors as HTML pages in
/// the person's language.
struct PageMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let services: Services
    /// Set once the first administrator exists; from then on no request asks again.
    let setUp = SetUpFlag()

    final class SetUpFlag: Sendable {
        let done = Atomic<Bool>(false)
    }

    /// Pages anyone may open.
    static let openPaths: Set<String> = ["/login", "/setup"]

    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path == "/health" || path.hasPrefix("/assets/"))
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard Self.isPage(path) else { return try await next(request, context) }
        var context = context
        do {
            if !setUp.done.load(ordering: .acquiring) {
                if try await services.auth.needsFirstAdministrator() {
                    return path == "/setup" ? try await next(request, context) : PageResponse.redirect("/setup")
                }
                setUp.done.store(true, ordering: .releasing)
            }
            if let token = PageSession.cookie(PageSession.cookieName, in: request),
                let scope = try? await services.auth.authenticate(token: token)
            {
                context.scope = scope
                context.sessionToken = token
            }
            if context.scope == nil && !Self.openPaths.contains(path) {
                return signInRedirect(request)
            }
            return try await next(request, context)
        } catch CRMError.unauthenticated {
            return signInRedirect(request)
        } catch {
            return ErrorPage.response(for: error, request: request, context: context)
        }
    }

    func signInRedirect(_ request: Request) -> Response {
        let here = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return PageResponse.redirect(request.method == .get && here != "/" ? "/login?next=\(HTML.urlComponent(here))" : "/login")
    }
}
