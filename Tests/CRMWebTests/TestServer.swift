import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CRMWeb

/// The two storage backends every API test runs on.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh SQLite file, or the shared test PostgreSQL database. The PostgreSQL tests fail
    /// (never skip) when the test command gave them no database.
    func location() throws -> DatabaseLocation {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("clientele-test-\(UUID().uuidString).sqlite").path
            return .sqlite(path: path)
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["CLIENTELE_TEST_POSTGRES_URL"], !url.isEmpty else {
                throw TestSetupError.noPostgres
            }
            return try DatabaseLocation.parse(url)
        }
    }
}

enum TestSetupError: Error, CustomStringConvertible {
    case noPostgres
    var description: String { "CLIENTELE_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh" }
}

/// One isolated tenant: its own workspace, an admin user and a token.
struct Tenant: Sendable {
    var workspace: Workspace
    var user: User
    var token: String

    var authorization: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
}

/// Opens services on a backend, makes a workspace per test, runs the body against the router.
func withTestApp(
    _ backend: Backend, _ body: @Sendable (Services, Tenant, any TestClientProtocol) async throws -> Void
) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let location = try backend.location()
    let services = try await Services.open(location, logger: logger)
    do {
        let tenant = try await makeTenant(services)
        let app = Application(router: buildRouter(services: services), logger: logger)
        try await app.test(.router) { client in try await body(services, tenant, client) }
    } catch {
        await services.database.close()
        removeFiles(of: location)
        throw error
    }
    await services.database.close()
    removeFiles(of: location)
}

/// A test's SQLite file and its journal go when the test ends (the shared PostgreSQL stays).
func removeFiles(of location: DatabaseLocation) {
    guard case .sqlite(let path) = location else { return }
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

func makeTenant(_ services: Services) async throws -> Tenant {
    let slug = "t-" + UUID().uuidString.prefix(8).lowercased()
    let workspace = try await services.workspaces.create(slug: slug, name: "Test \(slug)")
    let user = try await services.auth.createUser(
        email: "admin@\(slug).test", password: "password1", name: "Admin", isAdmin: true, workspaceID: workspace.id)
    let token = try await services.auth.createToken(userID: user.id, workspaceID: workspace.id).token
    return Tenant(workspace: workspace, user: user, token: token)
}

extension TestResponse {
    var json: JSONValue { (try? JSONValue.parse(body.readableBytesView)) ?? .null }
}

extension String {
    var buffer: ByteBuffer { ByteBuffer(string: self) }
}
