/// SQL text with bound values, written once for both databases. Interpolated values are always
/// bound (`\(value)`); only `\(raw:)` splices text, and it takes identifiers that came from
/// validated definitions or the dialect, never client input.
public struct SQLFragment: Sendable, ExpressibleByStringInterpolation {
    public enum Part: Sendable {
        case raw(String)
        case bind(SQLValue)
    }

    public private(set) var parts: [Part] = []

    public init() {}

    public init(_ raw: String) { parts = [.raw(raw)] }

    public init(stringLiteral value: String) { parts = [.raw(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { parts.append(.raw(literal)) }
        public mutating func appendInterpolation(_ value: SQLValue) { parts.append(.bind(value)) }
        public mutating func appendInterpolation(raw: String) { parts.append(.raw(raw)) }
        public mutating func appendInterpolation(_ fragment: SQLFragment) { parts.append(contentsOf: fragment.parts) }
    }

    /// Raw SQL text (identifiers and keywords built by the code, never values): spelled out, so an
    /// interpolated literal can never be taken for raw text by mistake.
    public mutating func append(raw: String) { parts.append(.raw(raw)) }
    public mutating func append(_ fragment: SQLFragment) { parts.append(contentsOf: fragment.parts) }
    public mutating func bind(_ value: SQLValue) { parts.append(.bind(value)) }

    public static func + (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// Joins fragments with a separator.
    public static func joined(_ fragments: [SQLFragment], separator: String) -> SQLFragment {
        var result = SQLFragment()
        for (offset, fragment) in fragments.enumerated() {
            if offset > 0 { result.append(raw: separator) }
            result.append(fragment)
        }
        return result
    }

    /// The statement text for a dialect, with its values in placeholder order.
    public func render(_ dialect: SQLDialect) -> (sql: String, binds: [SQLValue]) {
        var sql = ""
        var binds: [SQLValue] = []
        for part in parts {
            switch part {
            case .raw(let text): sql += text
            case .bind(let value):
                binds.append(value)
                sql += dialect.placeholder(binds.count, for: value)
            }
        }
        return (sql, binds)
    }
}
