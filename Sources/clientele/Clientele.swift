import ArgumentParser
import CRMCore
import CRMServices
import CRMStorage
import CRMWeb
import Foundation
import Hummingbird
import Logging

@main
struct Clientele: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clientele", abstract: "Clientele CRM server.",
        subcommands: [
            Serve.self, Migrate.self, WorkspaceCommand.self, UserCommand.self, TokenCommand.self, Demo.self, Reindex.self,
        ])
}

/// A one-line reason for a non-zero exit (no usage text: the arguments were fine).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Options every command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "sqlite:PATH or postgres://user:pass@host:port/db (default: env CLIENTELE_DATABASE_URL, else sqlite:./data/clientele.sqlite)")
    var database: String?

    func open(logLevel: Logger.Level = .warning) async throws -> Services {
        var logger = Logger(label: "clientele")
        logger.logLevel = logLevel
        let location = try DatabaseLocation.parse(database ?? ProcessInfo.processInfo.environment["CLIENTELE_DATABASE_URL"])
        do {
            return try await Services.open(location, logger: logger)
        } catch let error as StorageError {
            throw CommandFailure(Self.describe(error))
        } catch {
            throw CommandFailure("cannot open the database (is it running and reachable?): \(error)")
        }
    }

    /// Opens the services, runs `body` (domain errors become one-line reasons) and closes the
    /// database whether it succeeded or not.
    func withServices<T>(_ body: (Services) async throws -> T) async throws -> T {
        let services = try await open()
        do {
            let result = try await reporting { try await body(services) }
            await services.database.close()
            return result
        } catch {
            await services.database.close()
            throw error
        }
    }

    static func describe(_ error: StorageError) -> String {
        switch error {
        case .invalidURL(let message), .unreachable(let message), .migrationFailed(let message), .uniqueViolation(let message),
            .queryFailed(let message):
            message
        }
    }
}

/// Turns domain errors into one-line reasons and a non-zero exit.
func reporting<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as CRMError {
        switch error {
        case .validation(let issues): throw CommandFailure(issues.map(\.message).joined(separator: "; "))
        case .conflict(_, let message), .notFound(let message), .unauthenticated(let message), .forbidden(let message):
            throw CommandFailure(message)
        default: throw CommandFailure("\(error)")
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server.")
    @Option var host: String?
    @Option var port: Int?
    @Option(
        help: """
            A reverse proxy whose X-Forwarded-For names the client (an address or an IPv4 network a.b.c.d/n; \
            repeatable or comma-separated; default CLIENTELE_TRUSTED_PROXIES, else none).
            """)
    var trustedProxy: [String] = []
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = host ?? environment["CLIENTELE_HOST"] ?? "127.0.0.1"
        guard let port = port ?? Int(environment["CLIENTELE_PORT"] ?? "8080"), (1...65535).contains(port) else {
            throw ValidationError("the port must be 1 to 65535")
        }
        let proxies: TrustedProxies
        do {
            proxies = try TrustedProxies(trustedProxy.isEmpty ? [environment["CLIENTELE_TRUSTED_PROXIES"] ?? ""] : trustedProxy)
        } catch {
            throw ValidationError("--trusted-proxy: \(error)")
        }
        var logger = Logger(label: "clientele")
        logger.logLevel = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "info") ?? .info
        let services = try await db.open(logLevel: logger.logLevel)
        do {
            try await FirstRun.ensureAdmin(services: services, host: host, port: port)
        } catch {
            await services.database.close()
            throw error
        }
        let app = buildApplication(
            AppConfiguration(host: host, port: port, logLevel: logger.logLevel, trustedProxies: proxies), services: services,
            logger: logger)
        // Jobs run beside the HTTP server and stop with it; other instances may run them too.
        let jobs = Task { await services.jobs.run() }
        defer { jobs.cancel() }
        do {
            try await app.runService()
        } catch {
            jobs.cancel()
            await services.database.close()
            throw error
        }
        jobs.cancel()
        await jobs.value
        await services.database.close()
    }
}

/// On the very first start of an empty workspace: the first administrator is made on the
/// first-run page (`/setup`), or here when `CLIENTELE_ADMIN_EMAIL` and `CLIENTELE_ADMIN_PASSWORD`
/// say who (unattended installs).
enum FirstRun {
    static func ensureAdmin(services: Services, host: String, port: Int) async throws {
        guard try await services.auth.needsFirstAdministrator() else { return }
        let environment = ProcessInfo.processInfo.environment
        let workspace = try await services.workspaces.ensureDefault()
        if let email = environment["CLIENTELE_ADMIN_EMAIL"], let password = environment["CLIENTELE_ADMIN_PASSWORD"] {
            _ = try await services.auth.createFirstAdministrator(
                email: email, password: password, name: "Administrator", language: "en", workspaceID: workspace.id)
            print("First start: created the administrator \(email).")
        } else {
            print("First start: open http://\(host):\(port)/setup to create the first administrator.")
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let services = try await db.open()
        await services.database.close()
        print("Database is up to date.")
    }
}

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workspace", abstract: "Manage workspaces.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        @Option var name: String
        @Option var slug: String
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            let workspace = try await db.withServices { services in try await services.workspaces.create(slug: slug, name: name) }
            print("Created workspace \(workspace.slug) (\(workspace.id.lowercased)).")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        @Option var email: String
        @Option(help: "The password (visible to other users of this machine in the process list: prefer --password-stdin).")
        var password: String?
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Option var name: String
        @Flag var admin = false
        @Option var workspace: String?
        @OptionGroup var db: DatabaseOptions

        func validate() throws {
            guard (password == nil) != !passwordStdin else {
                throw ValidationError("give the password with exactly one of --password or --password-stdin")
            }
        }

        func run() async throws {
            let password = try password ?? Self.readPassword()
            let user = try await db.withServices { services in
                let workspace = try await services.workspaces.find(slug: workspace)
                return try await services.auth.createUser(
                    email: email, password: password, name: name, isAdmin: admin, workspaceID: workspace.id)
            }
            print("Created user \(user.email) (\(user.id.lowercased)).")
        }

        static func readPassword() throws -> String {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("--password-stdin: standard input gave no password")
            }
            return line
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        @Option var user: String
        @Option var workspace: String?
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            let token = try await db.withServices { services in
                let workspace = try await services.workspaces.find(slug: workspace)
                let found = try await services.database.read(workspace: workspace.id) { connection in
                    try await UserStore.find(email: user.lowercased(), workspaceID: workspace.id, on: connection)
                }
                guard let found else { throw CRMError.notFound("no user \(user) in workspace \(workspace.slug)") }
                return try await services.auth.createToken(userID: found.id, workspaceID: workspace.id, name: "cli").token
            }
            print("API token (shown once):")
            print(token)
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load a demo workspace (Russian and English data).")
    @Option var workspace: String?
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let counts = try await db.withServices { services in
            let workspace = try await services.workspaces.find(slug: workspace)
            return try await DemoData(services: services).load(into: .system(workspace.id))
        }
        print("Loaded demo data: " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
}

struct Reindex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild a workspace's search documents and duplicate match keys (after a bulk load or a restore).")
    @Option var workspace: String?
    @Flag(
        name: [.customLong("keys-only"), .customLong("match-keys-only")],
        help: "Only the duplicate check's match keys and the text filter index (the loader wrote the search documents).")
    var keysOnly = false
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let started = Date()
        let count = try await db.withServices { services in
            let workspace = try await services.workspaces.find(slug: workspace)
            return try await SearchReindexJob(database: services.database, metadata: services.metadata, keysOnly: keysOnly)
                .run(workspaceID: workspace.id)
        }
        print("Reindexed \(count) records in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
    }
}
