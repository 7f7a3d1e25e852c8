import Testing

@testable import CRMWeb

/// Who the client is behind reverse proxies (`TrustedProxies`).
struct ClientAddressTests {
    @Test func withoutTrustedProxiesTheHeaderIsIgnored() throws {
        let none = try TrustedProxies([""])
        #expect(none.isEmpty)
        #expect(none.client(peer: "198.51.100.4", forwardedFor: ["203.0.113.7"]) == "198.51.100.4")
    }

    @Test func aTrustedPeerNamesTheClientRightMostUntrustedFirst() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8, 127.0.0.1", "::1"])
        // Not from a proxy: the peer, whatever the header says.
        #expect(proxies.client(peer: "198.51.100.4", forwardedFor: ["203.0.113.7"]) == "198.51.100.4")
        // From a proxy: the address it saw.
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        #expect(proxies.client(peer: "::1", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        // A forged left part is not believed: the right-most address no trusted proxy wrote.
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["1.2.3.4, 203.0.113.9", "10.9.9.9"]) == "203.0.113.9")
        // Every hop trusted: the left-most.
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["10.0.0.7, 10.0.0.8"]) == "10.0.0.7")
        // No header: the peer.
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
    }

    @Test func refusesWhatIsNotAnAddress() {
        for bad in ["proxy.example.com", "10.0.0.0/33", "10.0.0/8", "300.1.1.1", "1.2.3.4/x"] {
            #expect(throws: TrustedProxyError.self, "\(bad)") { try TrustedProxies([bad]) }
        }
    }
}
