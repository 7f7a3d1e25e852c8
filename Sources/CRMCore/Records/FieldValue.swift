import Foundation

/// A validated value of one field, in its domain form.
public enum FieldValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    /// Decimal, percent: exact value in millionths.
    case scaled(Int64)
    case money(Money)
    case boolean(Bool)
    /// A calendar day as `YYYY-MM-DD`.
    case date(String)
    case datetime(Date)
    case list([String])
    case uuid(UUID)
    case address(Address)
    case recurrence(RepeatRule)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// An exact amount of money: integer millionths of the unit plus an ISO 4217 currency code.
public struct Money: Sendable, Hashable {
    public var micros: Int64
    public var currency: String

    public init(micros: Int64, currency: String) {
        self.micros = micros
        self.currency = currency
    }

    public var amount: Decimal { Scaled.decimal(fromMicros: micros) }
}

/// A structured postal address.
public struct Address: Sendable, Hashable, Codable {
    public static let keys = ["street", "city", "region", "postal_code", "country"]
    public var parts: [String: String]

    public init(parts: [String: String]) { self.parts = parts.filter { !$0.value.isEmpty } }

    public var isEmpty: Bool { parts.isEmpty }

    /// One line for search and display.
    public var singleLine: String {
        Self.keys.compactMap { parts[$0] }.joined(separator: ", ")
    }
}

/// Conversions between `Decimal` and integer millionths.
public enum Scaled {
    public static let factor: Decimal = 1_000_000

    public static func micros(from value: Decimal) -> Int64? {
        var scaled = value * factor
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled else { return nil }
        let number = NSDecimalNumber(decimal: rounded)
        guard number.compare(NSDecimalNumber(value: Int64.max)) != .orderedDescending,
            number.compare(NSDecimalNumber(value: Int64.min)) != .orderedAscending
        else { return nil }
        return number.int64Value
    }

    public static func decimal(fromMicros micros: Int64) -> Decimal {
        Decimal(micros) / factor
    }
}
