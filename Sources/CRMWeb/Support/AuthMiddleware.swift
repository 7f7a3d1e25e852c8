import CRMCore
import CRMServices
import Hummingbird

/// Resolves the bearer token into the caller's scope. Paths that need no token are listed here.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let auth: AuthService
    static let openPaths: Set<String> = ["/api/v1/openapi.json", "/api/v1/auth/token", "/health"]

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) || !request.uri.path.hasPrefix("/api/") {
            return try await next(request, context)
        }
        var context = context
        if let header = request.headers[.authorization] {
            context.scope = try await Self.scope(authorization: header, auth: auth)
        } else if let session = PageSession.cookie(PageSession.cookieName, in: request),
            PageSession.matches(request.headers[PageSession.csrfHeader], PageSession.csrfToken(for: session))
        {
            // The pages' own scripts: the session cookie, with the CSRF token in a header (a
            // page of another site can send the cookie but cannot know the token).
            context.scope = try await auth.authenticate(token: session)
        } else {
            throw CRMError.unauthenticated("send the header Authorization: Bearer <token>")
        }
        return try await next(request, context)
    }

    /// The caller an `Authorization: Bearer <token>` header names (401 when it names none).
    static func scope(authorization header: String, auth: AuthService) async throws -> AccessScope {
        try await auth.authenticate(token: try bearerToken(header))
    }

    /// The token of an `Authorization: Bearer <token>` header (401 when it holds none).
    static func bearerToken(_ header: String) throws -> String {
        guard header.lowercased().hasPrefix("bearer ") else {
            throw CRMError.unauthenticated("send the header Authorization: Bearer <token>")
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200 else { throw CRMError.unauthenticated("the token is not valid") }
        return token
    }
}
