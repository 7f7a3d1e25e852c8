import CRMCore
import CRMServices
import Hummingbird
import Logging

/// What a server needs to start.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TrustedProxies`).
    public var trustedProxies: TrustedProxies

    public init(host: String = "127.0.0.1", port: Int = 8080, logLevel: Logger.Level = .info, trustedProxies: TrustedProxies = .none) {
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.trustedProxies = trustedProxies
    }
}

/// Composes routes, middleware and services. The command line and the tests both call it.
public func buildRouter(services: Services, trustedProxies: TrustedProxies = .none) -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: ClientAddressMiddleware(proxies: trustedProxies))
    router.add(middleware: PageMiddleware(services: services))
    router.add(middleware: AuthMiddleware(auth: services.auth))
    router.get("/health") { _, _ in APIResponse.json(["status": "ok"]) }
    let api = router.group("api/v1")
    api.get("openapi.json") { request, _ in
        // Without a token, the generic document (built-in fields); with one, the caller's
        // workspace's (its custom fields included). No workspace is described to strangers.
        guard let header = request.headers[.authorization] else {
            return APIResponse.json(OpenAPIDocument.make(entities: BuiltinEntities.all))
        }
        let scope = try await AuthMiddleware.scope(authorization: header, auth: services.auth)
        let entities = try await services.metadata.entities(scope: scope)
        // The caller's view: fields hidden from them are not in their document.
        return APIResponse.json(
            OpenAPIDocument.make(
                entities: BuiltinEntities.all.compactMap { entities[$0.pluralName] }.map { $0.hiding(scope.hiddenFields($0.pluralName)) }))
    }
    AuthSearchController(services: services).addRoutes(to: api)
    HistoryController(services: services).addRoutes(to: api)
    MetadataController(services: services).addRoutes(to: api)
    UsersController(services: services).addRoutes(to: api)
    SalesController(services: services).addRoutes(to: api)
    RecordsController(services: services).addRoutes(to: api)
    PageRoutes.add(to: router, services: services)
    return router
}

/// The HTTP application. The job loop runs beside it (see `Serve`), not as one of its services.
public func buildApplication(_ configuration: AppConfiguration, services: Services, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services: services, trustedProxies: configuration.trustedProxies),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Clientele"),
        logger: logger)
}
