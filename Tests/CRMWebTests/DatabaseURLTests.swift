import CRMStorage
import Foundation
import Logging
import Synchronization
import Testing

/// Database URLs: the parameters read (`pool_size`, `sslmode`, `sslrootcert`), and that
/// `sslmode` is honoured against a real server.
struct DatabaseURLTests {
    @Test func readsTLSModes() throws {
        #expect(try DatabaseURL("postgres://u@db:5432/crm").tls == .prefer)
        for mode in DatabaseURL.TLSMode.allCases {
            #expect(try DatabaseURL("postgres://u@db/crm?sslmode=\(mode.rawValue)").tls == mode)
        }
        let verified = try DatabaseURL("postgres://u@db/crm?sslmode=verify-full&sslrootcert=/etc/ca.pem&pool_size=8")
        #expect(verified.rootCertificatePath == "/etc/ca.pem")
        #expect(verified.poolSize == 8)
        for bad in [
            "postgres://u@db/crm?sslmode=on", "postgres://u@db/crm?sslmode=require&sslrootcert=/ca.pem",
            "postgres://u@db/crm?ssl_mode=require", "postgres://u@db/crm?pool_size=0",
        ] {
            #expect(throws: StorageError.self, "\(bad)") { try DatabaseURL(bad) }
        }
    }

    /// The test server speaks no TLS: `require` must refuse to go on in plain text, `prefer` and
    /// `disable` connect.
    @Test func requireRefusesAServerWithoutTLS() async throws {
        guard let base = ProcessInfo.processInfo.environment["CLIENTELE_TEST_POSTGRES_URL"], !base.isEmpty else {
            Issue.record("CLIENTELE_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh")
            return
        }
        let logger = Logger(label: "test")
        for mode in ["disable", "prefer"] {
            let database = try await DatabaseFactory.open(try DatabaseLocation.parse(base + "?sslmode=\(mode)"), logger: logger)
            let row = try await database.withSystemConnection { try await $0.first("SELECT 1 AS one") }
            #expect(row?.int("one") == 1, "sslmode=\(mode)")
            await database.close()
        }
        // `require` never talks plain text: it fails (after the pool's retries) or keeps trying;
        // within 10 s it must not have connected.
        let connected = Mutex(false)
        let attempt = Task {
            let database = try await DatabaseFactory.open(try DatabaseLocation.parse(base + "?sslmode=require"), logger: logger)
            connected.withLock { $0 = true }
            await database.close()
        }
        try await Task.sleep(for: .seconds(10))
        #expect(!connected.withLock { $0 }, "sslmode=require connected to a server without TLS")
        attempt.cancel()
    }
}
