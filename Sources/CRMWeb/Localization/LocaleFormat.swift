import CRMCore
import Foundation

/// Numbers, money and dates as a language writes them: `1 234 567,00 ₽` and `12.03.2026` in
/// Russian and Bulgarian, `₽1,234,567.00` and `Mar 12, 2026` in English. Times are shown in the
/// person's time zone. Written by hand (no formatter objects): a list page formats hundreds of
/// values.
public struct LocaleFormat: Sendable {
    public let language: String
    public let timeZone: TimeZone

    public init(language: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.language = language
        self.timeZone = timeZone
    }

    var groupSeparator: String { language == "en" ? "," : "\u{00A0}" }
    var decimalSeparator: String { language == "en" ? "." : "," }

    public func integer(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += groupSeparator }
            grouped.append(character)
        }
        return value < 0 ? "−" + grouped : grouped
    }

    /// A value kept in millionths, with `minimumDigits` to `maximumDigits` decimals.
    public func scaled(_ micros: Int64, minimumDigits: Int = 0, maximumDigits: Int = 6) -> String {
        let negative = micros < 0
        let magnitude = micros.magnitude
        var whole = Int64(magnitude / 1_000_000)
        var fraction = magnitude % 1_000_000
        // Round to maximumDigits.
        let dropped = UInt64(pow(10.0, Double(6 - maximumDigits)))
        if dropped > 1 {
            let remainder = fraction % dropped
            fraction -= remainder
            if remainder * 2 >= dropped { fraction += dropped }
            if fraction >= 1_000_000 {
                fraction -= 1_000_000
                whole += 1
            }
        }
        var decimals = String(fraction).leftPadded(to: 6)
        while decimals.count > minimumDigits && decimals.hasSuffix("0") { decimals.removeLast() }
        decimals = String(decimals.prefix(max(minimumDigits, min(maximumDigits, decimals.count))))
        let text = integer(whole) + (decimals.isEmpty ? "" : decimalSeparator + decimals)
        return negative && (whole > 0 || fraction > 0) ? "−" + text : text
    }

    static let symbols: [String: String] = ["RUB": "₽", "USD": "$", "EUR": "€", "BGN": "лв.", "GBP": "£", "KZT": "₸", "BYN": "Br"]

    public func money(_ money: Money) -> String {
        let amount = scaled(money.micros, minimumDigits: 2, maximumDigits: 2)
        let symbol = Self.symbols[money.currency]
        if language == "en" {
            guard let symbol, symbol.count == 1 else { return "\(money.currency)\u{00A0}\(amount)" }
            return amount.hasPrefix("−") ? "−\(symbol)\(amount.dropFirst())" : "\(symbol)\(amount)"
        }
        return "\(amount)\u{00A0}\(symbol ?? money.currency)"
    }

    static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A calendar day given as `YYYY-MM-DD`.
    public func day(_ text: String) -> String {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month) else { return text }
        return day(year: String(parts[0]), month: month, day: Int(parts[2]) ?? 1)
    }

    func day(year: String, month: Int, day: Int) -> String {
        if language == "en" { return "\(Self.englishMonths[month - 1]) \(day), \(year)" }
        return "\(String(day).leftPadded(to: 2)).\(String(month).leftPadded(to: 2)).\(year)"
    }

    /// A moment, in the person's time zone: day and `HH:MM`.
    public func dateTime(_ date: Date) -> String {
        let parts = components(date)
        return "\(day(year: String(parts.year), month: parts.month, day: parts.day)) \(time(parts))"
    }

    public func time(_ date: Date) -> String { time(components(date)) }

    func time(_ parts: (year: Int, month: Int, day: Int, hour: Int, minute: Int)) -> String {
        "\(String(parts.hour).leftPadded(to: 2)):\(String(parts.minute).leftPadded(to: 2))"
    }

    /// The calendar parts of a moment in the person's time zone.
    func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        let offset = timeZone.secondsFromGMT(for: date)
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(offset)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = Timestamps.civilDate(fromDays: Int64(days))
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60)
    }

    /// The value of a `datetime-local` control (`2026-03-12T14:05`) for a moment.
    public func localInput(_ date: Date) -> String {
        let parts = components(date)
        return
            "\(String(parts.year).leftPadded(to: 4))-\(String(parts.month).leftPadded(to: 2))-\(String(parts.day).leftPadded(to: 2))T\(time(parts))"
    }

    /// A `datetime-local` value typed in the person's time zone, as a moment.
    public func moment(fromLocalInput text: String) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = text.split(separator: "T")
        guard parts.count == 2 else { return nil }
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard day.count == 3, clock.count >= 2 else { return nil }
        return calendar.date(
            from: DateComponents(year: day[0], month: day[1], day: day[2], hour: clock[0], minute: clock[1], second: 0))
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
