import CRMCore
import Hummingbird
import Logging

/// The request context: Hummingbird's storage plus the authenticated caller.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware`; every API handler reads it through `requireScope()`.
    public var scope: AccessScope?
    /// The client's IP address (sign-in throttling and the sign-in log).
    public var remoteAddress: String
    /// A trusted proxy says the browser reached it over TLS (session cookies go Secure).
    public var forwardedTLS = false
    /// The session token of a signed-in page request (from its cookie); forms' CSRF tokens are
    /// derived from it.
    public var sessionToken: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.scope = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    public var maxUploadSize: Int { APIResponse.maximumBodySize }

    func requireScope() throws -> AccessScope {
        guard let scope else { throw CRMError.unauthenticated("a bearer token is required") }
        return scope
    }
}
