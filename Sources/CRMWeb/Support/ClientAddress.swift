import Foundation
import HTTPTypes
import Hummingbird

/// Which peers may say who the client is: reverse proxies in front of the server (a load
/// balancer, nginx). Without any, the client is the peer of the connection and
/// `X-Forwarded-For` is ignored (anyone could write it). With them, a request from a trusted
/// peer names its client in `X-Forwarded-For`: the right-most address that is not itself a
/// trusted proxy (each proxy appends the address it saw, so what is left of the last trusted one
/// came from the client and may be forged). Sign-in throttling per address and the sign-in log
/// use it.
///
/// Entries are addresses (`10.0.0.5`, `::1`) or IPv4 networks (`10.0.0.0/8`).
public struct TrustedProxies: Sendable {
    let addresses: Set<String>
    let networks: [(base: UInt32, mask: UInt32)]

    public static let none = TrustedProxies(addresses: [], networks: [])

    init(addresses: Set<String>, networks: [(base: UInt32, mask: UInt32)]) {
        self.addresses = addresses
        self.networks = networks
    }

    /// Parses a comma-separated list (the `--trusted-proxy` option or `CLIENTELE_TRUSTED_PROXIES`);
    /// throws for an entry that is neither an address nor an IPv4 network.
    public init(_ entries: [String]) throws {
        var addresses = Set<String>()
        var networks: [(UInt32, UInt32)] = []
        for entry in entries.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) })
        where !entry.isEmpty {
            if let slash = entry.firstIndex(of: "/") {
                guard let base = Self.ipv4(String(entry[..<slash])), let bits = Int(entry[entry.index(after: slash)...]),
                    (0...32).contains(bits)
                else { throw TrustedProxyError(entry: entry) }
                let mask: UInt32 = bits == 0 ? 0 : UInt32.max << (32 - bits)
                networks.append((base & mask, mask))
            } else {
                guard Self.ipv4(entry) != nil || entry.contains(":") else { throw TrustedProxyError(entry: entry) }
                addresses.insert(entry.lowercased())
            }
        }
        self.init(addresses: addresses, networks: networks)
    }

    public var isEmpty: Bool { addresses.isEmpty && networks.isEmpty }

    func trusts(_ address: String) -> Bool {
        if addresses.contains(address.lowercased()) { return true }
        guard let value = Self.ipv4(address) else { return false }
        return networks.contains { value & $0.mask == $0.base }
    }

    /// The client of a request that came from `peer` with these `X-Forwarded-For` values.
    func client(peer: String, forwardedFor: [String]) -> String {
        guard trusts(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !hop.isEmpty {
            if !trusts(hop) { return String(hop.prefix(64)) }
        }
        return hops.first(where: { !$0.isEmpty }).map { String($0.prefix(64)) } ?? peer
    }

    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}

public struct TrustedProxyError: Error, CustomStringConvertible {
    public let entry: String
    public var description: String { "not an IP address or an IPv4 network (a.b.c.d/n): \(entry)" }
}

/// Sets `AppContext.remoteAddress` from `X-Forwarded-For` when the peer is a trusted proxy.
struct ClientAddressMiddleware: RouterMiddleware {
    let proxies: TrustedProxies
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard !proxies.isEmpty else { return try await next(request, context) }
        var context = context
        let peer = context.remoteAddress
        context.remoteAddress = proxies.client(peer: peer, forwardedFor: request.headers[values: Self.forwardedFor])
        // A trusted proxy that took the TLS connection says so; session cookies then go Secure.
        if proxies.trusts(peer), request.headers[Self.forwardedProto]?.lowercased() == "https" { context.forwardedTLS = true }
        return try await next(request, context)
    }
}
