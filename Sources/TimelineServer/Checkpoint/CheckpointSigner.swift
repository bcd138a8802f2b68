import Crypto
import Foundation
import TimelineModel
import TimelineStore

/// Signs the chain head with the daemon's Ed25519 key (DOMAIN.md "Audit rules").
///
/// The key pair lives in the data directory: `checkpoint.key` (the raw 32-byte
/// private key, base64, mode 0600) is created on first start; `checkpoint.pub`
/// (the raw 32-byte public key, base64) is exported beside it for auditors.
public struct CheckpointSigner: Sendable {
    /// File names inside the data directory.
    public static let privateKeyFile = "checkpoint.key"
    public static let publicKeyFile = "checkpoint.pub"

    private let rawKey: [UInt8]
    /// First 16 hex digits of SHA-256 of the raw public key.
    public let keyId: String

    /// Loads the key from `directory`, creating the pair on first use.
    public init(directory: String) throws(TimelineError) {
        let privatePath = directory + "/" + Self.privateKeyFile
        let publicPath = directory + "/" + Self.publicKeyFile
        do {
            let key: Curve25519.Signing.PrivateKey
            if let text = try? String(contentsOfFile: privatePath, encoding: .utf8) {
                guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw TimelineError(.internal, "\(privatePath) is not a base64 Ed25519 key; restore it from backup")
                }
                key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            } else {
                key = Curve25519.Signing.PrivateKey()
                let created = FileManager.default.createFile(
                    atPath: privatePath, contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
                    attributes: [.posixPermissions: 0o600]
                )
                guard created else { throw TimelineError(.internal, "cannot create \(privatePath); check the data directory's permissions") }
            }
            try Data((key.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: publicPath))
            rawKey = Array(key.rawRepresentation)
            keyId = Self.keyId(of: Array(key.publicKey.rawRepresentation))
        } catch let error as TimelineError {
            throw error
        } catch {
            throw TimelineError(.internal, "the checkpoint key in \(directory) cannot be used: \(error)")
        }
    }

    /// The key id of a raw public key.
    public static func keyId(of publicKey: [UInt8]) -> String { CheckpointKeyId.of(publicKey) }

    /// A signed checkpoint of `head` and the Merkle tree of the same size:
    /// `{position, hash, recordedAt, signedAt, keyId, treeSize, rootHash, note,
    /// signature}`, `signature` over canonical(everything else), and `note` the
    /// same tree head as a C2SP tlog-checkpoint signed note of `origin`.
    public func sign(head: ChainHead, rootHash: [UInt8], origin: String, at now: Timestamp) throws(TimelineError) -> JSONValue {
        do {
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
            var body: [String: JSONValue] = [
                "position": .int(Int64(head.position)),
                "hash": .string(head.hash),
                "recordedAt": .string((head.recordedAt ?? now).rfc3339),
                "signedAt": .string(now.rfc3339),
                "keyId": .string(keyId),
                "treeSize": .int(Int64(head.position)),
                "rootHash": .string(Hashing.hex(rootHash)),
                "note": .string(try SignedNote.checkpoint(origin: origin, treeSize: head.position, rootHash: rootHash, key: key)),
            ]
            let signature = try key.signature(for: CanonicalJSON.encode(.object(body)))
            body["signature"] = .string(Data(signature).base64EncodedString())
            return .object(body)
        } catch {
            throw TimelineError(.internal, "signing the checkpoint failed: \(error)")
        }
    }
}
