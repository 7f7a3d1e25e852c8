import CRMCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// The embedded database: one SQLite file in WAL mode, one writer connection (SQLite allows one
/// writer at a time; taking turns in-process avoids busy errors) and a few reader connections
/// that read in parallel with it.
public final class SQLiteDatabase: Database {
    public let dialect = SQLDialect.sqlite
    let writer: AsyncPool<SQLiteConnection>
    let readers: AsyncPool<SQLiteConnection>
    let threadPool: NIOThreadPool
    let logger: Logger

    /// One reader per core: more only adds threads that take turns on the same cores (measured at
    /// 1M contacts on 2 cores: four readers had a list-page p99 of 22.8 ms, two 17.7 ms).
    public static let defaultReaders = max(2, ProcessInfo.processInfo.activeProcessorCount)

    public static func open(path: String, readers readerCount: Int = defaultReaders, logger: Logger) async throws -> SQLiteDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        do {
            let writer = try await openConnection(path: path, threadPool: threadPool, logger: logger, isWriter: true)
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                readers.append(try await openConnection(path: path, threadPool: threadPool, logger: logger, isWriter: false))
            }
            return SQLiteDatabase(writer: writer, readers: readers, threadPool: threadPool, logger: logger)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw StorageError.unreachable("cannot open SQLite database at \(path): \(error)")
        }
    }

    init(writer: SQLiteConnection, readers: [SQLiteConnection], threadPool: NIOThreadPool, logger: Logger) {
        self.writer = AsyncPool([writer])
        self.readers = AsyncPool(readers)
        self.threadPool = threadPool
        self.logger = logger
    }

    static func openConnection(path: String, threadPool: NIOThreadPool, logger: Logger, isWriter: Bool) async throws
        -> SQLiteConnection
    {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
        // WAL lets readers run beside the writer; synchronous=FULL makes a commit durable
        // before it is acknowledged.
        for pragma in [
            "PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON", "PRAGMA cache_size = -16000", "PRAGMA temp_store = MEMORY",
        ] {
            _ = try await connection.query(pragma)
        }
        try await connection.install(customFunction: SQLiteFunctions.fold)
        return connection
    }

    public func read<T: Sendable>(
        workspace: UUID?, _ body: @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        try await readers.with { connection in
            try await body(SQLiteSession(connection: connection))
        }
    }

    public func write<T: Sendable>(
        workspace: UUID?, _ body: @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        try await writer.with { connection in
            let session = SQLiteSession(connection: connection)
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                let result = try await body(session)
                _ = try await connection.query("COMMIT")
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    public func withSystemConnection<T: Sendable>(_ body: @Sendable (any DatabaseConnection) async throws -> T) async throws -> T {
        try await writer.with { connection in
            try await body(SQLiteSession(connection: connection))
        }
    }

    public func close() async {
        for connection in await readers.drain() + writer.drain() {
            try? await connection.close()
        }
        try? await threadPool.shutdownGracefully()
    }
}

/// One connection as the storage code sees it.
struct SQLiteSession: DatabaseConnection {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    func query(_ fragment: SQLFragment) async throws -> [SQLRow] {
        let (sql, binds) = fragment.render(.sqlite)
        for case .text(let value) in binds where value.utf8.contains(0) {
            throw CRMError.badRequest(code: "nul_character", message: "text must not contain the NUL character")
        }
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql, binds.map(Self.sqliteData))
        } catch let error as SQLiteError {
            if error.reason == .constraint || error.reason == .constraintUniqueFailed
                || error.reason == .constraintPrimaryKeyFailed
            {
                throw StorageError.uniqueViolation(error.message)
            }
            throw error
        }
        guard let first = rows.first else { return [] }
        let columns = SQLColumns(first.columns.map(\.name))
        return rows.map { row in
            SQLRow(columns: columns, values: row.columns.map { Self.value($0.data) })
        }
    }

    static func sqliteData(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: .null
        case .int(let value): .integer(Int(value))
        case .double(let value): .float(value)
        case .text(let value), .json(let value), .day(let value): .text(value)
        case .bool(let value): .integer(value ? 1 : 0)
        case .uuid(let value): .text(value.lowercased)
        case .timestamp(let value): .text(Timestamps.format(value))
        }
    }

    static func value(_ data: SQLiteData) -> SQLValue {
        switch data {
        case .integer(let value): .int(Int64(value))
        case .float(let value): .double(value)
        case .text(let value): .text(value)
        case .blob, .null: .null
        }
    }
}

/// Functions SQLite lacks: Unicode case folding (its `lower()` folds ASCII only).
enum SQLiteFunctions {
    static let fold = SQLiteCustomFunction("crm_fold", argumentCount: 1, pure: true) { arguments in
        guard case .text(let text) = arguments.first else { return nil as String? }
        return text.lowercased()
    }
}
