import Foundation
import Testing

@testable import CRMCore

/// The API form of a record has one definition; the tree and the direct writer must agree, and
/// the fast timestamp reader must agree with the general ISO 8601 one.
struct RecordJSONTests {
    static func sample() -> (Record, EntityDefinition) {
        var entity = BuiltinEntities.deal
        entity.append(
            FieldDefinition(name: "c_note", type: .text, label: LocalizedText(en: "Note"), isCustom: true))
        let record = Record(
            entity: "deal", id: UUIDv7.make(), number: "D-000007", ownerID: UUID(), tags: ["vip", "q\"uote"],
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123), createdBy: nil,
            updatedAt: Date(timeIntervalSince1970: 1_700_000_100),
            updatedBy: UUID(), version: 3,
            values: [
                "title": .text("Поставка <оборудования>"), "amount": .money(Money(micros: 150_000_500_000, currency: "RUB")),
                "probability": .scaled(40_000_000), "closed_on": .date("2026-11-24"), "c_note": .text("line\nbreak"),
            ])
        return (record, entity)
    }

    @Test func keysFollowTheStandardFieldsThenTheEntityFields() {
        let (record, entity) = Self.sample()
        guard case .object(let object) = record.json(in: entity) else {
            Issue.record("not an object")
            return
        }
        #expect(object.map(\.key) == StandardFields.all.map(\.name) + entity.fields.map(\.name))
        for field in StandardFields.all where field.name != "tags" {
            #expect(object[field.name] == record.value(of: field.name).json, "\(field.name)")
        }
    }

    @Test func theWriterAndTheTreeAgree() throws {
        let (record, entity) = Self.sample()
        var written: [UInt8] = []
        record.writeJSON(in: entity, to: &written)
        #expect(written == record.json(in: entity).serialized())
        #expect(try JSONValue.parse(written)["amount"]?["currency"] == .string("RUB"))
    }

    @Test func canonicalTimestampsParseLikeISO8601() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let millis = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let text = Timestamps.format(date)
            let fast = try #require(Timestamps.parseCanonical(text), "\(text)")
            let general = try #require(try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            #expect(Timestamps.format(fast) == text)
            #expect(abs(fast.timeIntervalSince(general)) < 0.0005, "\(text)")
        }
    }

    @Test(arguments: [
        "2026-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:00:00.000",
        "2026-1-01T00:00:00.000Z",
    ])
    func impossibleInstantsAreNotCanonical(_ text: String) {
        #expect(Timestamps.parseCanonical(text) == nil)
    }
}
