import Foundation

extension FieldDefinition {
    /// Checks one value sent by a client and turns it into its domain form.
    /// `null` clears the field (a required field refuses it).
    public func decode(_ json: JSONValue) -> Result<FieldValue, ValidationIssue> {
        if json.isNull {
            return isRequired ? .failure(issue("required", "is required")) : .success(.null)
        }
        switch type {
        case .text, .longText, .url, .email, .phone, .choice:
            return decodeString(json)
        case .integer:
            switch json {
            case .int(let value): return .success(.integer(value))
            case .decimal(let value):
                guard let micros = Scaled.micros(from: value), micros % 1_000_000 == 0 else {
                    return .failure(issue("type", "must be a whole number"))
                }
                return .success(.integer(micros / 1_000_000))
            default: return .failure(issue("type", "must be a whole number, got \(json.kindName)"))
            }
        case .decimal, .percent:
            guard let decimal = Self.decimal(from: json) else {
                return .failure(issue("type", "must be a number, got \(json.kindName)"))
            }
            guard let micros = Scaled.micros(from: decimal) else {
                return .failure(issue("precision", "must have at most 6 decimal places and stay below 9,223,372,036,854"))
            }
            if type == .percent, !(0...100_000_000).contains(micros) {
                return .failure(issue("out_of_range", "must be between 0 and 100"))
            }
            return .success(.scaled(micros))
        case .money:
            return decodeMoney(json)
        case .boolean:
            guard case .bool(let value) = json else { return .failure(issue("type", "must be true or false")) }
            return .success(.boolean(value))
        case .date:
            guard let text = json.stringValue, Timestamps.isValidDay(text) else {
                return .failure(issue("format", "must be a date as YYYY-MM-DD"))
            }
            return .success(.date(text))
        case .datetime:
            guard let text = json.stringValue, let date = Timestamps.parse(text) else {
                return .failure(issue("format", "must be a date and time in ISO 8601, e.g. 2026-01-31T09:30:00Z"))
            }
            return .success(.datetime(date))
        case .multiChoice, .tags:
            return decodeList(json)
        case .reference, .user, .uuid:
            guard let text = json.stringValue, let id = UUID(uuidString: text) else {
                return .failure(issue("format", "must be a record id (UUID)"))
            }
            return .success(.uuid(id))
        case .address:
            return decodeAddress(json)
        case .recurrence:
            switch RepeatRule.parse(json, field: name) {
            case .success(let rule): return .success(.recurrence(rule))
            case .failure(let issues):
                let first = issues.first ?? issue("invalid", "is not a valid repeat rule")
                return .failure(
                    ValidationIssue(field: name, code: first.code, message: issues.map(\.message).joined(separator: "; ")))
            }
        }
    }

    func issue(_ code: String, _ message: String) -> ValidationIssue {
        ValidationIssue(field: name, code: code, message: "\(name) \(message)")
    }

    /// NUL and other C0 controls have no place in CRM text (PostgreSQL refuses NUL outright).
    public static func hasControlCharacters(_ text: String, allowingLineBreaks: Bool = false) -> Bool {
        text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 || scalar.value == 0x7F) && !(allowingLineBreaks && (scalar == "\n" || scalar == "\t" || scalar == "\r"))
        }
    }

    public static func decimal(from json: JSONValue) -> Decimal? {
        switch json {
        case .int(let value): return Decimal(value)
        case .decimal(let value): return value
        case .double(let value): return Decimal(value)
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) else { return nil }
            return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }

    private func decodeString(_ json: JSONValue) -> Result<FieldValue, ValidationIssue> {
        guard case .string(let raw) = json else {
            return .failure(issue("type", "must be a string, got \(json.kindName)"))
        }
        let text = type == .longText ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            return isRequired ? .failure(issue("required", "is required")) : .success(.null)
        }
        if let maxLength, text.count > maxLength {
            return .failure(issue("too_long", "must be at most \(maxLength) characters"))
        }
        if Self.hasControlCharacters(text, allowingLineBreaks: type == .longText) {
            return .failure(issue("format", "contains control characters"))
        }
        switch type {
        case .email:
            guard let email = EmailAddress.normalize(text) else {
                return .failure(issue("format", "must be an e-mail address"))
            }
            return .success(.text(email))
        case .phone:
            guard PhoneNumber.isPlausible(text) else {
                return .failure(issue("format", "must be a phone number (7 to 15 digits)"))
            }
            return .success(.text(text))
        case .url:
            guard let url = URL(string: text.contains("://") ? text : "https://" + text), let scheme = url.scheme,
                ["http", "https"].contains(scheme.lowercased()), url.host?.isEmpty == false
            else {
                return .failure(issue("format", "must be an http or https address"))
            }
            return .success(.text(text))
        case .choice:
            guard options.contains(where: { $0.value == text }) else {
                return .failure(issue("choice", "must be one of: \(options.map(\.value).joined(separator: ", "))"))
            }
            return .success(.text(text))
        default:
            return .success(.text(text))
        }
    }

    private func decodeMoney(_ json: JSONValue) -> Result<FieldValue, ValidationIssue> {
        let amountJSON: JSONValue
        var currency = "RUB"
        if case .object(let object) = json {
            guard let amount = object["amount"] else { return .failure(issue("required", "needs an amount")) }
            amountJSON = amount
            for key in object.keys where key != "amount" && key != "currency" {
                return .failure(issue("unknown_key", "has an unknown key \(key)"))
            }
            if let code = object["currency"], !code.isNull {
                guard let text = code.stringValue, text.count == 3, text.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                    return .failure(issue("currency", "currency must be a three-letter ISO 4217 code"))
                }
                currency = text.uppercased()
            }
        } else {
            amountJSON = json
        }
        guard let decimal = Self.decimal(from: amountJSON) else {
            return .failure(issue("type", "must be an amount or {\"amount\", \"currency\"}"))
        }
        guard let micros = Scaled.micros(from: decimal) else {
            return .failure(issue("precision", "must have at most 6 decimal places and stay below 9,223,372,036,854"))
        }
        return .success(.money(Money(micros: micros, currency: currency)))
    }

    private func decodeList(_ json: JSONValue) -> Result<FieldValue, ValidationIssue> {
        guard case .array(let items) = json else { return .failure(issue("type", "must be an array of strings")) }
        var values: [String] = []
        for item in items {
            guard let text = item.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                return .failure(issue("type", "must contain non-empty strings only"))
            }
            guard text.count <= 100 else { return .failure(issue("too_long", "items must be at most 100 characters")) }
            guard !Self.hasControlCharacters(text) else { return .failure(issue("format", "items contain control characters")) }
            if type == .multiChoice, !options.contains(where: { $0.value == text }) {
                return .failure(issue("choice", "items must be among: \(options.map(\.value).joined(separator: ", "))"))
            }
            if !values.contains(text) { values.append(text) }
        }
        guard values.count <= 100 else { return .failure(issue("too_many", "may hold at most 100 items")) }
        return .success(values.isEmpty ? .null : .list(values))
    }

    private func decodeAddress(_ json: JSONValue) -> Result<FieldValue, ValidationIssue> {
        guard case .object(let object) = json else {
            return .failure(issue("type", "must be an object with \(Address.keys.joined(separator: ", "))"))
        }
        var parts: [String: String] = [:]
        for (key, value) in object {
            guard Address.keys.contains(key) else { return .failure(issue("unknown_key", "has an unknown key \(key)")) }
            if value.isNull { continue }
            guard let text = value.stringValue else { return .failure(issue("type", "\(key) must be a string")) }
            guard text.count <= 255 else { return .failure(issue("too_long", "\(key) must be at most 255 characters")) }
            guard !Self.hasControlCharacters(text) else { return .failure(issue("format", "\(key) contains control characters")) }
            parts[key] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let address = Address(parts: parts)
        return .success(address.isEmpty ? .null : .address(address))
    }
}

extension FieldValue {
    /// The API form of a value.
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .text(let value): .string(value)
        case .integer(let value): .int(value)
        case .scaled(let micros): .decimal(Scaled.decimal(fromMicros: micros))
        case .money(let money): ["amount": .decimal(money.amount), "currency": .string(money.currency)]
        case .boolean(let value): .bool(value)
        case .date(let value): .string(value)
        case .datetime(let value): .string(Timestamps.format(value))
        case .list(let values): .array(values.map { .string($0) })
        case .uuid(let value): .string(value.lowercased)
        case .address(let address):
            .object(JSONObject(Address.keys.compactMap { key in address.parts[key].map { (key, .string($0)) } }))
        case .recurrence(let rule): rule.json
        }
    }

    /// A plain text rendering for search terms, audit summaries and titles.
    public var plainText: String? {
        switch self {
        case .null: nil
        case .text(let value), .date(let value): value
        case .integer(let value): String(value)
        case .scaled(let micros): Scaled.decimal(fromMicros: micros).description
        case .money(let money): "\(money.amount) \(money.currency)"
        case .boolean(let value): value ? "true" : "false"
        case .datetime(let value): Timestamps.format(value)
        case .list(let values): values.joined(separator: ", ")
        case .uuid(let value): value.lowercased
        case .address(let address): address.singleLine
        case .recurrence(let rule): rule.json.serializedString()
        }
    }
}
