import CRMCore
import Foundation

/// A value bound to a statement. Backends map each case to their own wire type; the case also
/// tells PostgreSQL which cast a placeholder needs (`jsonb`, `date`).
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    case uuid(UUID)
    case timestamp(Date)
    /// A JSON document as text.
    case json(String)
    /// A calendar day `YYYY-MM-DD`.
    case day(String)

    public static func optional(_ value: UUID?) -> SQLValue { value.map { .uuid($0) } ?? .null }
    public static func optional(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    public static func optional(_ value: Date?) -> SQLValue { value.map { .timestamp($0) } ?? .null }
}

/// One result row: values in select order plus a shared column-name index.
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public let values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(name: String) -> SQLValue {
        guard let position = columns.index[name] else { return .null }
        return values[position]
    }

    /// A value by its position (decoders resolve names to positions once per result).
    public func value(at position: Int?) -> SQLValue {
        guard let position, position < values.count else { return .null }
        return values[position]
    }

    public func string(_ name: String) -> String? { self[name].stringValue }
    public func int(_ name: String) -> Int64? { self[name].intValue }
    public func double(_ name: String) -> Double? { self[name].doubleValue }
    public func bool(_ name: String) -> Bool? { self[name].boolValue }
    public func date(_ name: String) -> Date? { self[name].dateValue }
    public func uuid(_ name: String) -> UUID? { self[name].uuidValue }
}

extension SQLValue {
    public var stringValue: String? {
        switch self {
        case .text(let value), .json(let value), .day(let value): value
        case .int(let value): String(value)
        case .uuid(let value): value.lowercased
        case .timestamp(let value): Timestamps.format(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: nil
        }
    }

    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(exactly: value.rounded(.towardZero))
        case .text(let value): Int64(value)
        case .bool(let value): value ? 1 : 0
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        case .text(let value): Double(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        default: nil
        }
    }

    public var dateValue: Date? {
        switch self {
        case .timestamp(let value): value
        case .text(let value): Timestamps.parse(value)
        default: nil
        }
    }

    public var uuidValue: UUID? {
        switch self {
        case .uuid(let value): value
        case .text(let value): UUID.parse(value)
        default: nil
        }
    }
}

/// Column names of a result, shared by all its rows.
public final class SQLColumns: Sendable {
    public let names: [String]
    let index: [String: Int]

    public func position(of name: String) -> Int? { index[name] }

    public init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}
