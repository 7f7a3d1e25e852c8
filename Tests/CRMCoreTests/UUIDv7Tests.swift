import Foundation
import Testing

@testable import CRMCore

struct UUIDv7Tests {
    @Test func versionVariantTimeAndUniqueness() {
        let moment = Date(timeIntervalSince1970: 1_764_547_200.123)
        var seen = Set<UUID>()
        for _ in 0..<10_000 {
            let id = UUIDv7.make(at: moment)
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7)
            #expect(bytes[8] >> 6 == 2)
            let millis = bytes[0..<6].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            #expect(millis == 1_764_547_200_123)
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
        #expect(UUIDv7.make(at: moment).precedes(UUIDv7.make(at: moment.addingTimeInterval(0.001))))
    }
}

struct TextFoldTests {
    @Test func theFastFoldAgreesWithUnicodeCaseMapping() {
        let alphabet = Array("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяABCXYZabcxyz019 -+@._'\"")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(TextFold.foldCyrillicAndASCII(text) == TextFold.foldUnicode(text), "\(text)")
        }
        #expect(TextFold.fold("ЁЛКИН Пётр") == "елкин петр")
        #expect(TextFold.foldCyrillicAndASCII("Їжак") == nil)
        #expect(TextFold.fold("Їжак İstanbul") == TextFold.foldUnicode("Їжак İstanbul"))
    }
}
