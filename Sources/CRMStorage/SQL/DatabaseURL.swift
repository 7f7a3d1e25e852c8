import Foundation

/// Where the data lives: `sqlite:PATH` or `postgres://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(DatabaseURL)

    public static let defaultSQLitePath = "./data/clientele.sqlite"

    public static func parse(_ text: String?) throws(StorageError) -> DatabaseLocation {
        guard let text, !text.isEmpty else { return .sqlite(path: defaultSQLitePath) }
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw .invalidURL("sqlite: needs a file path, e.g. sqlite:./data/crm.sqlite") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            return .postgres(try DatabaseURL(text))
        }
        throw .invalidURL("database URL must start with sqlite: or postgres:// (got \(text.prefix(20))...)")
    }
}

/// The parts of a PostgreSQL URL.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int?
    public var user: String?
    public var password: String?
    public var database: String?
    /// `?pool_size=N`: connections this instance keeps at most (1-200).
    public var poolSize: Int?
    /// `?sslmode=`: as libpq reads it — `disable`, `prefer` (the default: TLS when the server
    /// offers it, unverified), `require` (TLS or no connection, unverified), `verify-ca` (the
    /// server's certificate must chain to a trusted root) or `verify-full` (and name this host).
    public var tls: TLSMode = .prefer
    /// `?sslrootcert=PATH`: the PEM file of roots to trust for `verify-ca` / `verify-full`
    /// (otherwise the system's roots).
    public var rootCertificatePath: String?

    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public init(_ text: String) throws(StorageError) {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw .invalidURL("cannot read the PostgreSQL URL; expected postgres://user:password@host:port/database")
        }
        self.host = host
        self.port = components.port
        self.user = components.user?.removingPercentEncoding
        self.password = components.password?.removingPercentEncoding
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? nil : path
        for item in components.queryItems ?? [] {
            switch item.name {
            case "pool_size":
                guard let size = item.value.flatMap(Int.init), (1...200).contains(size) else {
                    throw .invalidURL("pool_size must be 1 to 200")
                }
                self.poolSize = size
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw .invalidURL("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                self.tls = mode
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else { throw .invalidURL("sslrootcert needs the path of a PEM file") }
                self.rootCertificatePath = path
            default:
                throw .invalidURL("unknown database URL parameter \(item.name) (known: pool_size, sslmode, sslrootcert)")
            }
        }
        if rootCertificatePath != nil, tls != .verifyCA, tls != .verifyFull {
            throw .invalidURL("sslrootcert is used with sslmode=verify-ca or verify-full")
        }
    }
}
