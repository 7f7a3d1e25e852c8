import CRMStorage
import Foundation
import Testing

/// SQLite keeps match keys as tokens of the search documents: a token must never change for the
/// same key (stored documents hold the old ones), and must tell workspaces, entities and keys apart.
struct MatchKeyTokenTests {
    @Test func tokensAreStableShortAndDistinct() throws {
        let workspace = try #require(UUID(uuidString: "01a23549-858d-7531-b4c0-863e92ace4e5"))
        let other = try #require(UUID(uuidString: "01a23549-858d-7531-b4c0-863e92ace4e6"))
        let token = MatchKeyStore.token("p:9123456789", entity: "contacts", workspace: workspace)
        // Written down once: a change of the hash would orphan every stored token.
        #expect(token == Self.expected)
        #expect(token.count == 13 && token.hasPrefix("k"))
        #expect(
            token.utf8.allSatisfy {
                ("a"..."z").contains(Character(UnicodeScalar($0))) || ("2"..."7").contains(Character(UnicodeScalar($0)))
            })
        var seen: Set<String> = [token]
        for (key, entity, space) in [
            ("p:9123456789", "contacts", other), ("p:9123456789", "leads", workspace), ("p:9123456788", "contacts", workspace),
            ("e:a@b.ru", "contacts", workspace), ("n:IVN IVNF", "contacts", workspace),
        ] {
            #expect(seen.insert(MatchKeyStore.token(key, entity: entity, workspace: space)).inserted)
        }
        // Many keys, no two tokens alike.
        var tokens = Set<String>()
        for number in 0..<50_000 { tokens.insert(MatchKeyStore.token("p:9\(number)", entity: "contacts", workspace: workspace)) }
        #expect(tokens.count == 50_000)
    }

    /// FNV-1a 64 over the parts, each closed by 0x1F, then the MurmurHash3 finalizer, 60 bits in
    /// base 32: computed independently (in Python) when the format was chosen.
    static let expected = "kam5qitgqpnwm"
}
