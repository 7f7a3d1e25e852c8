import CRMCore
import Foundation

/// A leased connection, inside a transaction when it came from `write`.
public protocol DatabaseConnection: Sendable {
    var dialect: SQLDialect { get }
    func query(_ fragment: SQLFragment) async throws -> [SQLRow]
    /// The same connection, its reads of full-text tables seeing what was stored before this
    /// transaction's pending full-text rows (SQLite's `FTSBuffer`, written at COMMIT; reading
    /// them otherwise writes them out first, a segment of their own). Itself elsewhere.
    var storedFullTextOnly: any DatabaseConnection { get }
}

extension DatabaseConnection {
    public var storedFullTextOnly: any DatabaseConnection { self }

    public func execute(_ fragment: SQLFragment) async throws {
        _ = try await query(fragment)
    }

    public func first(_ fragment: SQLFragment) async throws -> SQLRow? {
        try await query(fragment).first
    }
}

/// Storage behind one interface: SQLite in the box, PostgreSQL in the cloud.
///
/// `workspace` names the tenant the work belongs to. On PostgreSQL it is set on the session so
/// that row-level security policies apply; `nil` is for system work (migrations, job claims,
/// token look-ups) that touches only tables without tenant rows.
public protocol Database: Sendable {
    var dialect: SQLDialect { get }
    /// Runs reads on a pooled connection.
    func read<T: Sendable>(
        workspace: UUID?, _ body: @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T
    /// Runs `body` in one transaction: all of it is written, or none of it. `alone` asks for a
    /// transaction of its own (large writes: a batch, a reindex page) rather than a share of a
    /// group commit (SQLite).
    func write<T: Sendable>(
        workspace: UUID?, alone: Bool, _ body: @escaping @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T
    /// Runs `body` on one connection outside any transaction (migrations manage their own).
    func withSystemConnection<T: Sendable>(_ body: @Sendable (any DatabaseConnection) async throws -> T) async throws -> T
    func close() async
}

extension Database {
    /// A write that may share its commit with others waiting at the same moment.
    public func write<T: Sendable>(
        workspace: UUID?, _ body: @escaping @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        try await write(workspace: workspace, alone: false, body)
    }
}

/// Errors of the storage layer that callers act on.
public enum StorageError: Error, Sendable, Equatable {
    case uniqueViolation(String)
    case unreachable(String)
    case invalidURL(String)
    case migrationFailed(String)
    /// A statement the database refused for a reason that is not the client's (a server bug).
    case queryFailed(String)
}

extension StorageError: UnavailabilitySignal {
    public var unavailableReason: String? {
        if case .unreachable(let message) = self { return message }
        return nil
    }
}
