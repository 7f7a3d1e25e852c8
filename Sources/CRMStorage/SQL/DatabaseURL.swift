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
        for item in components.queryItems ?? [] where item.name == "pool_size" {
            guard let size = item.value.flatMap(Int.init), (1...200).contains(size) else {
                throw .invalidURL("pool_size must be 1 to 200")
            }
            self.poolSize = size
        }
    }
}
