import CRMCore
import Foundation

/// Writes a record's API form straight from its result row, for list pages: no `Record`, no
/// per-field dictionary, no JSON tree, and values SQLite already holds in their API text form
/// (instants, ids) are copied, not parsed and formatted again. It must write exactly what
/// `RecordRowLayout.decode` + `Record.writeJSON` write; `RecordRowJSONTests` holds it to that.
struct RecordRowJSON {
    enum Slot {
        case column(RecordRowLayout.Column)
        case custom(name: String, type: FieldType)
    }

    let layout: RecordRowLayout
    /// The entity's fields in API order.
    let slots: [Slot]
    /// `"name":` of every field, escaped once.
    let keys: [[UInt8]]
    let hasCustom: Bool

    init(layout: RecordRowLayout) {
        self.layout = layout
        let columns = Dictionary(uniqueKeysWithValues: layout.fields.map { ($0.name, $0) })
        slots = layout.entity.fields.map { field in
            if !field.isCustom, let column = columns[field.name] { return .column(column) }
            return .custom(name: field.name, type: field.type)
        }
        keys = (StandardFields.all.map(\.name) + layout.entity.fieldNames).map { name in
            var key: [UInt8] = []
            JSONValue.writeString(name, to: &key)
            key.append(UInt8(ascii: ":"))
            return key
        }
        hasCustom = layout.entity.fields.contains(where: \.isCustom)
    }

    func write(_ row: SQLRow, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var key = 0
        func field(_ body: (inout [UInt8]) -> Void) {
            if key > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: keys[key])
            key += 1
            body(&output)
        }
        field { Self.writeUUID(row.value(at: layout.id), to: &$0) }
        field { Self.writeText(row.value(at: layout.number).stringValue ?? "", to: &$0) }
        field { Self.writeUUID(row.value(at: layout.owner), to: &$0) }
        field { Self.writeTags(row.value(at: layout.tags), to: &$0) }
        field { Self.writeInstant(row.value(at: layout.createdAt), orEpoch: true, to: &$0) }
        field { Self.writeUUID(row.value(at: layout.createdBy), to: &$0) }
        field { Self.writeInstant(row.value(at: layout.updatedAt), orEpoch: true, to: &$0) }
        field { Self.writeUUID(row.value(at: layout.updatedBy), to: &$0) }
        field { $0.append(contentsOf: String(row.value(at: layout.version).intValue ?? 1).utf8) }
        var custom: JSONObject?
        if hasCustom, let text = row.value(at: layout.custom).stringValue, case .object(let document)? = try? JSONValue.parse(text) {
            custom = document
        }
        for slot in slots {
            switch slot {
            case .column(let column):
                field { Self.writeColumn(column, row: row, to: &$0) }
            case .custom(let name, let type):
                field { output in
                    let value = custom?[name].map { FieldColumns.customValue($0, type: type, name: name) } ?? .null
                    value.json.write(to: &output)
                }
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    static func writeColumn(_ column: RecordRowLayout.Column, row: SQLRow, to output: inout [UInt8]) {
        let primary = row.value(at: column.position)
        switch column.type {
        case .text, .longText, .email, .phone, .url, .choice:
            if let text = primary.stringValue { writeText(text, to: &output) } else { writeNull(&output) }
        case .integer:
            if let number = primary.intValue { output.append(contentsOf: String(number).utf8) } else { writeNull(&output) }
        case .boolean:
            if let flag = primary.boolValue { output.append(contentsOf: (flag ? "true" : "false").utf8) } else { writeNull(&output) }
        case .date:
            if let text = primary.stringValue { writeText(String(text.prefix(10)), to: &output) } else { writeNull(&output) }
        case .datetime:
            writeInstant(primary, orEpoch: false, to: &output)
        case .reference, .user, .uuid:
            writeUUID(primary, to: &output)
        case .address:
            writeAddress(primary, to: &output)
        case .decimal, .percent, .money, .multiChoice, .tags, .recurrence:
            // Rarer and shaped values: the decoder's own conversion, so both stay one definition.
            FieldColumns.value(primary, currency: row.value(at: column.currency), type: column.type, name: column.name).json
                .write(to: &output)
        }
    }

    static func writeNull(_ output: inout [UInt8]) { output.append(contentsOf: "null".utf8) }

    static func writeText(_ text: String, to output: inout [UInt8]) { JSONValue.writeString(text, to: &output) }

    /// Ids: SQLite holds them as canonical lower-case text, copied when they are exactly that.
    static func writeUUID(_ value: SQLValue, to output: inout [UInt8]) {
        switch value {
        case .text(let text) where isCanonicalUUID(text):
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
        default:
            if let id = value.uuidValue { writeText(id.lowercased, to: &output) } else { writeNull(&output) }
        }
    }

    /// Instants: SQLite holds them in the API's own fixed form, copied when they are exactly that.
    static func writeInstant(_ value: SQLValue, orEpoch: Bool, to output: inout [UInt8]) {
        if case .text(let text) = value, Timestamps.isCanonical(text) {
            writeText(text, to: &output)
        } else if let date = value.dateValue ?? (orEpoch ? Date(timeIntervalSince1970: 0) : nil) {
            writeText(Timestamps.format(date), to: &output)
        } else {
            writeNull(&output)
        }
    }

    /// What `FieldColumns` + `Address` make of a stored address (string parts in `Address.keys`
    /// order, empty and unknown ones left out), without building either.
    static func writeAddress(_ value: SQLValue, to output: inout [UInt8]) {
        // What this server stores is already that form: copied when a scan finds it so.
        if case .text(var stored) = value, stored.withUTF8({ isCanonicalAddress($0) }) {
            output.append(contentsOf: stored.utf8)
            return
        }
        guard let text = value.stringValue, case .object(let object)? = try? JSONValue.parse(text) else {
            writeNull(&output)
            return
        }
        output.append(UInt8(ascii: "{"))
        var first = true
        for key in Address.keys {
            guard let part = object.first(where: { $0.key == key })?.value.stringValue, !part.isEmpty else { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            writeText(key, to: &output)
            output.append(UInt8(ascii: ":"))
            writeText(part, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    static let addressKeys: [[UInt8]] = Address.keys.map { Array($0.utf8) }

    /// Whether stored address text is exactly what `writeAddress` would write: `{"key":"value",...}`
    /// with known keys in `Address.keys` order, no empty value, and no byte that `writeString`
    /// escapes (`"`, `\`, `<`, control characters), with no spaces.
    static func isCanonicalAddress(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "{"), bytes[bytes.count - 1] == UInt8(ascii: "}") else { return false }
        var position = 1
        let end = bytes.count - 1
        var nextKey = 0
        /// A plain string starting at `position` (its opening quote); returns its bytes' range.
        func plainString() -> Range<Int>? {
            guard position < end, bytes[position] == UInt8(ascii: "\"") else { return nil }
            let start = position + 1
            var index = start
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    position = index + 1
                    return start..<index
                }
                if byte < 0x20 || byte == 0x5C || byte == 0x3C { return nil }
                index += 1
            }
            return nil
        }
        while position < end {
            if nextKey > 0 {
                guard bytes[position] == UInt8(ascii: ","), position + 1 < end else { return false }
                position += 1
            }
            guard let key = plainString(), position < end, bytes[position] == UInt8(ascii: ":") else { return false }
            position += 1
            guard let value = plainString(), !value.isEmpty else { return false }
            // The key must come later in `Address.keys` than the previous one.
            guard
                let found = addressKeys.indices.first(where: { index in
                    index >= nextKey && addressKeys[index].elementsEqual(bytes[key])
                })
            else { return false }
            nextKey = found + 1
        }
        return true
    }

    static func writeTags(_ value: SQLValue, to output: inout [UInt8]) {
        guard let text = value.stringValue, text != "[]", case .array(let items)? = try? JSONValue.parse(text) else {
            output.append(contentsOf: "[]".utf8)
            return
        }
        JSONValue.array(items.compactMap(\.stringValue).map { .string($0) }).write(to: &output)
    }

    static func isCanonicalUUID(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count == 36 else { return false }
            for (offset, byte) in bytes.enumerated() {
                if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                    guard byte == 0x2D else { return false }
                } else {
                    guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) else { return false }
                }
            }
            return true
        }
    }
}
