import Foundation

/// Cursors are opaque to clients: base64url of a JSON array of the last row's sort values
/// followed by its id.
public enum CursorCoding {
    public static func encode(values: [FieldValue], id: UUID) -> String {
        let array = JSONValue.array(values.map(\.cursorJSON) + [.string(id.lowercased)])
        return Data(array.serialized()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String, sort: [SortKey]) -> Cursor? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 4096, let data = Data(base64Encoded: base64), let json = try? JSONValue.parse(data),
            case .array(let items) = json, items.count == sort.count + 1,
            let idText = items.last?.stringValue, let id = UUID(uuidString: idText)
        else { return nil }
        var values: [FieldValue] = []
        for (key, item) in zip(sort, items) {
            guard let value = FieldValue(cursorJSON: item, type: key.field.type) else { return nil }
            values.append(value)
        }
        return Cursor(values: values, id: id)
    }
}

extension FieldValue {
    /// Cursor form: sortable values only, money as its micros.
    var cursorJSON: JSONValue {
        switch self {
        case .money(let money): .int(money.micros)
        case .scaled(let micros): .int(micros)
        case .datetime(let date): .string(Timestamps.format(date))
        default: json
        }
    }

    init?(cursorJSON json: JSONValue, type: FieldType) {
        if json.isNull {
            self = .null
            return
        }
        switch (type, json) {
        case (.text, .string(let s)), (.email, .string(let s)), (.phone, .string(let s)), (.url, .string(let s)),
            (.choice, .string(let s)):
            self = .text(s)
        case (.integer, .int(let value)): self = .integer(value)
        case (.decimal, .int(let value)), (.percent, .int(let value)), (.money, .int(let value)): self = .scaled(value)
        case (.boolean, .bool(let value)): self = .boolean(value)
        case (.date, .string(let s)) where Timestamps.isValidDay(s): self = .date(s)
        case (.datetime, .string(let s)):
            guard let date = Timestamps.parse(s) else { return nil }
            self = .datetime(date)
        case (.reference, .string(let s)), (.user, .string(let s)), (.uuid, .string(let s)):
            guard let id = UUID(uuidString: s) else { return nil }
            self = .uuid(id)
        default: return nil
        }
    }
}
