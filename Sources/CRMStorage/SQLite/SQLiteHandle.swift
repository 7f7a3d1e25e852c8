import CRMCore
import CSQLiteConfig
import Synchronization
// The SQLite amalgamation that sqlite-nio compiles (its C functions carry a `sqlite_nio_` prefix).
import VaporCSQLite

/// A SQLite error: the extended result code and SQLite's message.
public struct SQLiteFailure: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    /// SQLITE_CONSTRAINT and its extended codes (unique, primary key, not null, check, foreign key).
    var isConstraint: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (macros Swift does not import).
        code == SQLITE_CONSTRAINT || code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8)
    }

    public var description: String { "SQLite error \(code): \(message)" }
}

/// One SQLite connection, called directly on the calling thread, with its prepared statements kept
/// for reuse.
///
/// Not thread-safe by itself: whoever holds it (a pool hands it to one task at a time) is its only
/// user; SQLite is opened in serialized mode as well, so a mistake is slow, not corrupting.
///
/// Why not through sqlite-nio's connection: that sends every statement to a thread pool and back
/// (two thread switches per statement, more than a point read costs) and prepares every statement
/// anew (a seventh of a get-by-id's CPU). The profile is in docs/decisions/0007.
final class SQLiteHandle: @unchecked Sendable {
    private let db: OpaquePointer
    private var statements: [String: Prepared] = [:]
    private var closed = false

    /// Statements longer than this are prepared each time (multi-row inserts of varying size).
    static let cachedTextLimit = 4_096
    /// Kept statements per connection; past it the cache starts over.
    static let cacheLimit = 256

    private final class Prepared {
        let pointer: OpaquePointer
        var columns: SQLColumns?
        /// SQLite's count of schema re-preparations when `columns` was read.
        var reprepared: Int32 = -1
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
    }

    private static let initialized: Bool = sqlite_nio_sqlite3_initialize() == SQLITE_OK
    /// Tells SQLite to copy a bound value before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        _ = Self.initialized
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteFailure(code: code, message: "cannot open \(path): \(message)")
        }
        db = handle
        sqlite_nio_sqlite3_busy_timeout(db, 10_000)
        // Plans stay as prepared whatever is bound: otherwise SQLite marks a statement whose plan
        // looked at a bound value (a partial index's condition, FTS5's own look-ups) to be prepared
        // again at its next run with other values — 5% of a create's CPU at a million contacts.
        // No query here depends on that (decision 0012).
        _ = clientele_sqlite_enable_qpsg(db)
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(db)
    }

    /// Runs one statement and returns its rows.
    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let keep = sql.utf8.count <= Self.cachedTextLimit
        let statement: Prepared
        if keep, let cached = statements[sql] {
            statement = cached
        } else {
            statement = Prepared(try prepare(sql, persistent: keep))
            if keep {
                if statements.count >= Self.cacheLimit { clearCache() }
                statements[sql] = statement
            }
        }
        let pointer = statement.pointer
        defer {
            // A statement left mid-way would hold its read snapshot (and stall WAL checkpoints).
            sqlite_nio_sqlite3_reset(pointer)
            sqlite_nio_sqlite3_clear_bindings(pointer)
            if !keep { sqlite_nio_sqlite3_finalize(pointer) }
        }
        try bind(binds, to: pointer)
        var rows: [SQLRow] = []
        var columns: SQLColumns?
        while true {
            let code = sqlite_nio_sqlite3_step(pointer)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw failure(code) }
            if columns == nil { columns = self.columns(of: statement) }
            let count = Int(sqlite_nio_sqlite3_column_count(pointer))
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for index in 0..<Int32(count) { values.append(Self.value(pointer, index)) }
            rows.append(SQLRow(columns: columns!, values: values))
        }
        return rows
    }

    /// Runs statements that return nothing, all in one text (`PRAGMA`s, a script).
    func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite_nio_sqlite3_exec(db, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "error \(code)"
            sqlite_nio_sqlite3_free(message)
            throw SQLiteFailure(code: sqlite_nio_sqlite3_extended_errcode(db), message: text)
        }
    }

    /// Registers `crm_fold(text)`: Unicode case folding with ё read as е (`TextFold.fold`).
    func installFold() throws {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        let code = sqlite_nio_sqlite3_create_function_v2(
            db, "crm_fold", 1, flags, nil,
            { context, count, arguments in
                guard count == 1, let argument = arguments?[0],
                    sqlite_nio_sqlite3_value_type(argument) != SQLITE_NULL,
                    let text = sqlite_nio_sqlite3_value_text(argument)
                else {
                    sqlite_nio_sqlite3_result_null(context)
                    return
                }
                let length = Int(sqlite_nio_sqlite3_value_bytes(argument))
                let folded = TextFold.fold(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
                // withCString: a valid pointer even for the empty string (SQLite copies it).
                folded.withCString { chars in
                    sqlite_nio_sqlite3_result_text64(context, chars, UInt64(folded.utf8.count), SQLiteHandle.transient, UInt8(SQLITE_UTF8))
                }
            }, nil, nil, nil)
        guard code == SQLITE_OK else { throw failure(code) }
    }

    private func clearCache() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        statements = [:]
    }

    private func prepare(_ sql: String, persistent: Bool) throws -> OpaquePointer {
        var statement: OpaquePointer?
        var text = sql
        let code = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sqlite_nio_sqlite3_prepare_v3(
                    db, chars.baseAddress, Int32(chars.count), persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &statement, nil)
            }
        }
        guard code == SQLITE_OK, let statement else {
            sqlite_nio_sqlite3_finalize(statement)
            throw failure(code)
        }
        return statement
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite_nio_sqlite3_bind_null(statement, index)
            case .int(let number): code = sqlite_nio_sqlite3_bind_int64(statement, index, number)
            case .double(let number): code = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .bool(let flag): code = sqlite_nio_sqlite3_bind_int64(statement, index, flag ? 1 : 0)
            case .text(let text), .json(let text), .day(let text): code = Self.bindText(text, statement, index)
            case .uuid(let id): code = Self.bindText(id.lowercased, statement, index)
            case .timestamp(let date): code = Self.bindText(Timestamps.format(date), statement, index)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    private static func bindText(_ text: String, _ statement: OpaquePointer, _ index: Int32) -> Int32 {
        if text.isEmpty {
            return "".withCString { sqlite_nio_sqlite3_bind_text64(statement, index, $0, 0, transient, UInt8(SQLITE_UTF8)) }
        }
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sqlite_nio_sqlite3_bind_text64(statement, index, chars.baseAddress, UInt64(chars.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }

    private func columns(of statement: Prepared) -> SQLColumns {
        let reprepared = sqlite_nio_sqlite3_stmt_status(statement.pointer, SQLITE_STMTSTATUS_REPREPARE, 0)
        if let columns = statement.columns, statement.reprepared == reprepared { return columns }
        let count = sqlite_nio_sqlite3_column_count(statement.pointer)
        let columns = SQLColumns((0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement.pointer, $0)) })
        statement.columns = columns
        statement.reprepared = reprepared
        return columns
    }

    private static func value(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .int(sqlite_nio_sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .double(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        default: return .null
        }
    }

    private func failure(_ code: Int32) -> SQLiteFailure {
        SQLiteFailure(code: sqlite_nio_sqlite3_extended_errcode(db), message: String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }
}
