import Foundation

/// How a task or meeting repeats: every N days, weeks (on chosen weekdays), months or years, until a
/// day, a number of times, or for ever.
///
/// The API refuses a rule that does not say how it ends: a forgotten end would quietly fill the
/// calendar with an endless series nobody asked for.
public struct RepeatRule: Sendable, Hashable {
    public enum Frequency: String, Sendable, CaseIterable { case daily, weekly, monthly, yearly }

    /// ISO order: the week starts on Monday.
    public enum Weekday: String, Sendable, CaseIterable {
        case mon, tue, wed, thu, fri, sat, sun

        /// Days after Monday (0...6).
        var offset: Int { Self.allCases.firstIndex(of: self)! }
    }

    public enum End: Sendable, Hashable {
        /// The last day (`YYYY-MM-DD`) on which an occurrence may fall, the whole day included.
        case until(String)
        /// How many occurrences, the first included.
        case count(Int)
        case never
    }

    public static let intervals = 1...99
    public static let counts = 1...1000

    public var frequency: Frequency
    /// Every N days, weeks, months or years.
    public var interval: Int
    /// Weekly rules only (other frequencies ignore them); empty means the start's weekday.
    public var weekdays: [Weekday]
    public var end: End

    public init(frequency: Frequency, interval: Int = 1, weekdays: [Weekday] = [], end: End) {
        self.frequency = frequency
        self.interval = interval
        self.weekdays = weekdays
        self.end = end
    }

    /// The API form, e.g. `{"frequency":"weekly","interval":2,"weekdays":["mon","thu"],"until":"2027-03-31"}`;
    /// it round-trips through `parse`.
    public var json: JSONValue {
        var object = JSONObject()
        object.append("frequency", .string(frequency.rawValue))
        object.append("interval", .int(Int64(interval)))
        if frequency == .weekly, !weekdays.isEmpty { object.append("weekdays", .array(weekdays.map { .string($0.rawValue) })) }
        switch end {
        case .until(let day): object.append("until", .string(day))
        case .count(let count): object.append("count", .int(Int64(count)))
        case .never: object.append("never_ends", true)
        }
        return .object(object)
    }

    /// Parses the API form, reporting every problem at once; `field` names the field in the issues
    /// (`repeat`, `repeat.interval`, ...).
    public static func parse(_ json: JSONValue, field: String) -> Result<RepeatRule, Issues> {
        guard case .object(let object) = json else {
            let message = "\(field) must be an object such as {\"frequency\": \"weekly\", \"count\": 10}, got \(json.kindName)"
            return .failure(Issues([ValidationIssue(field: field, code: "invalid", message: message)]))
        }
        var reader = RepeatRuleReader(field: field, object: object)
        reader.refuseUnknownKeys()
        let frequency = reader.frequency()
        let interval = reader.interval()
        let weekdays = reader.weekdays(for: frequency)
        let end = reader.end()
        guard reader.issues.isEmpty, let frequency, let end else { return .failure(Issues(reader.issues)) }
        return .success(RepeatRule(frequency: frequency, interval: interval, weekdays: weekdays, end: end))
    }

    /// Every problem of a refused rule, in the order found. A collection of `ValidationIssue`
    /// (an array itself cannot be a `Result` failure, not being an `Error`).
    public struct Issues: Error, Sendable, Hashable, RandomAccessCollection {
        public let issues: [ValidationIssue]

        public init(_ issues: [ValidationIssue]) { self.issues = issues }

        public var startIndex: Int { issues.startIndex }
        public var endIndex: Int { issues.endIndex }
        public subscript(position: Int) -> ValidationIssue { issues[position] }
    }
}

/// Reads one rule object, collecting issues instead of stopping at the first.
private struct RepeatRuleReader {
    static let keys: Set<String> = ["frequency", "interval", "weekdays", "until", "count", "never_ends"]

    let field: String
    let object: JSONObject
    var issues: [ValidationIssue] = []

    /// A key's value; `null` counts as absent.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    mutating func fail(_ key: String?, _ code: String, _ message: String) {
        let name = key.map { "\(field).\($0)" } ?? field
        issues.append(ValidationIssue(field: name, code: code, message: "\(name) \(message)"))
    }

    mutating func refuseUnknownKeys() {
        for key in object.keys where !Self.keys.contains(key) {
            fail(key, "unknown_field", "is not a property of a repeat rule (\(Self.keys.sorted().joined(separator: ", ")))")
        }
    }

    mutating func frequency() -> RepeatRule.Frequency? {
        let names = RepeatRule.Frequency.allCases.map(\.rawValue).joined(separator: ", ")
        guard let json = value("frequency") else {
            fail("frequency", "required", "is required: one of \(names)")
            return nil
        }
        guard let text = json.stringValue, let frequency = RepeatRule.Frequency(rawValue: text) else {
            fail("frequency", "invalid", "must be one of \(names)")
            return nil
        }
        return frequency
    }

    mutating func interval() -> Int {
        guard let json = value("interval") else { return 1 }
        guard let interval = Self.wholeNumber(json) else {
            fail("interval", "type", "must be a whole number, got \(json.kindName)")
            return 1
        }
        guard RepeatRule.intervals.contains(interval) else {
            fail("interval", "range", "must be 1 to 99")
            return 1
        }
        return interval
    }

    mutating func weekdays(for frequency: RepeatRule.Frequency?) -> [RepeatRule.Weekday] {
        guard let json = value("weekdays") else { return [] }
        let names = RepeatRule.Weekday.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .array(let items) = json else {
            fail("weekdays", "type", "must be an array of weekdays (\(names))")
            return []
        }
        if !items.isEmpty, let frequency, frequency != .weekly {
            fail("weekdays", "not_allowed", "are allowed with a weekly frequency only")
        }
        var weekdays: [RepeatRule.Weekday] = []
        for item in items {
            guard let text = item.stringValue, let weekday = RepeatRule.Weekday(rawValue: text) else {
                fail("weekdays", "invalid", "must hold weekdays only (\(names))")
                return []
            }
            guard !weekdays.contains(weekday) else {
                fail("weekdays", "duplicate", "names \(text) more than once")
                return []
            }
            weekdays.append(weekday)
        }
        return weekdays
    }

    /// The end the rule states; exactly one of `until`, `count` and `never_ends: true` must be given.
    mutating func end() -> RepeatRule.End? {
        var stated = 0
        var end: RepeatRule.End?
        if let json = value("until") {
            stated += 1
            if let text = json.stringValue, RepeatRuleCalendar.dayNumber(text) != nil {
                end = .until(text)
            } else {
                fail("until", "format", "must be a date as YYYY-MM-DD")
            }
        }
        if let json = value("count") {
            stated += 1
            if let count = Self.wholeNumber(json) {
                if RepeatRule.counts.contains(count) { end = .count(count) } else { fail("count", "range", "must be 1 to 1000") }
            } else {
                fail("count", "type", "must be a whole number, got \(json.kindName)")
            }
        }
        if let json = value("never_ends") {
            if case .bool(let neverEnds) = json {
                if neverEnds {
                    stated += 1
                    end = .never
                }
            } else {
                stated += 1
                fail("never_ends", "type", "must be true or false, got \(json.kindName)")
            }
        }
        if stated == 0 {
            fail(nil, "repeat_end_required", "must say when it ends: give until (a date), count (a number of times) or never_ends: true")
        } else if stated > 1 {
            fail(nil, "repeat_end_conflict", "must give only one of until, count and never_ends: true")
        }
        return stated == 1 ? end : nil
    }

    static func wholeNumber(_ json: JSONValue) -> Int? {
        switch json {
        case .int(let value): return Int(exactly: value)
        case .decimal(let value):
            guard abs(value) < 1_000_000_000 else { return nil }
            let whole = NSDecimalNumber(decimal: value).intValue
            return Decimal(whole) == value ? whole : nil
        case .double(let value): return Int(exactly: value)
        default: return nil
        }
    }
}

extension RepeatRule {
    /// Start times of the occurrences, at most `limit`, none after `notAfter`, honouring `end`.
    ///
    /// The first is `start` itself when it matches the rule (for weekly rules with weekdays, the
    /// first matching day on or after start). Every occurrence keeps start's wall-clock time in
    /// `timeZone`, so a 10:00 meeting stays at 10:00 across a daylight-saving switch. Months without
    /// start's day use their last day; the next month goes back to start's day.
    public func occurrences(from start: Date, timeZone: TimeZone, limit: Int, notAfter: Date?) -> [Date] {
        var maximum = limit
        var lastDay = RepeatRuleCalendar.lastDay
        switch end {
        case .count(let count): maximum = min(limit, count)
        case .until(let text):
            guard let day = RepeatRuleCalendar.dayNumber(text) else { return [] }
            lastDay = day
        case .never: break
        }
        guard maximum > 0 else { return [] }
        let calendar = RepeatRuleCalendar(start: start, timeZone: timeZone)
        var dates: [Date] = []
        forEachDay(from: calendar.startDay, through: lastDay) { day in
            let date = day == calendar.startDay ? start : calendar.date(onDay: day)
            if let notAfter, date > notAfter { return false }
            dates.append(date)
            return dates.count < maximum
        }
        return dates
    }

    /// Calls `body` with each occurrence's day number, in order, until it returns false or the days
    /// pass `lastDay`.
    private func forEachDay(from startDay: Int, through lastDay: Int, _ body: (Int) -> Bool) {
        let step = max(1, interval)
        let (year, month, dayOfMonth) = RepeatRuleCalendar.civil(startDay)
        var period = 0
        while true {
            let days: [Int]
            switch frequency {
            case .daily:
                days = [startDay + period]
            case .weekly where weekdays.isEmpty:
                days = [startDay + 7 * period]
            case .weekly:
                let monday = startDay - RepeatRuleCalendar.weekdayOffset(startDay) + 7 * period
                days = Set(weekdays.map(\.offset)).sorted().map { monday + $0 }.filter { $0 >= startDay }
            case .monthly:
                let months = year * 12 + (month - 1) + period
                days = [RepeatRuleCalendar.clampedDay(year: months / 12, month: months % 12 + 1, day: dayOfMonth)]
            case .yearly:
                days = [RepeatRuleCalendar.clampedDay(year: year + period, month: month, day: dayOfMonth)]
            }
            for day in days {
                guard day <= lastDay, body(day) else { return }
            }
            period += step
        }
    }
}

/// Calendar arithmetic on day numbers (days since 1970-01-01), so stepping through days, weeks and
/// months never meets daylight-saving gaps; only the final wall-clock time goes through `Calendar`.
struct RepeatRuleCalendar {
    /// 9999-12-31: the API has four-digit years only, and an endless rule must stop somewhere.
    static let lastDay = dayNumber(year: 9999, month: 12, day: 31)

    let calendar: Calendar
    let startDay: Int
    let time: DateComponents
    let fraction: TimeInterval

    init(start: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: start)
        startDay = Self.dayNumber(year: parts.year!, month: parts.month!, day: parts.day!)
        time = DateComponents(hour: parts.hour, minute: parts.minute, second: parts.second)
        fraction = start.timeIntervalSince1970 - start.timeIntervalSince1970.rounded(.down)
    }

    /// Start's wall-clock time on another day.
    func date(onDay day: Int) -> Date {
        let (year, month, dayOfMonth) = Self.civil(day)
        var parts = time
        parts.year = year
        parts.month = month
        parts.day = dayOfMonth
        return calendar.date(from: parts)!.addingTimeInterval(fraction)
    }

    /// The day number of a `YYYY-MM-DD` date, nil unless it is a real calendar date.
    static func dayNumber(_ text: String) -> Int? {
        guard Timestamps.isValidDay(text) else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        return dayNumber(year: parts[0], month: parts[1], day: parts[2])
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        Timestamps.daysFromCivil(year: year, month: month, day: day)
    }

    static func civil(_ day: Int) -> (year: Int, month: Int, day: Int) {
        Timestamps.civilDate(fromDays: Int64(day))
    }

    /// Days after Monday of a day number (1970-01-01 was a Thursday).
    static func weekdayOffset(_ day: Int) -> Int {
        ((day + 3) % 7 + 7) % 7
    }

    /// The day number of `day` in a month, or of the month's last day when it is shorter.
    static func clampedDay(year: Int, month: Int, day: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return dayNumber(year: year, month: month, day: min(day, length))
    }
}
