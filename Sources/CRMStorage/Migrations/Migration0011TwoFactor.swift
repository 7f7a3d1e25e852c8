/// Optional two-factor sign-in (TOTP, RFC 6238) per user: the shared secret (base32, set when
/// enrolment starts, in force once a code confirms it), the last time step accepted (a code is
/// good once), and the SHA-256 hashes of the unused recovery codes.
enum Migration0011TwoFactor {
    static let migration = Migration(version: 11, name: "two-factor sign-in") { dialect in
        [
            "ALTER TABLE users ADD COLUMN totp_secret TEXT",
            "ALTER TABLE users ADD COLUMN totp_enabled \(dialect.boolType) NOT NULL DEFAULT \(dialect == .sqlite ? "0" : "false")",
            "ALTER TABLE users ADD COLUMN totp_last_step \(dialect.bigintType)",
            "ALTER TABLE users ADD COLUMN totp_recovery \(dialect.jsonType) NOT NULL DEFAULT \(dialect.emptyJSONArray)",
        ]
    }
}
