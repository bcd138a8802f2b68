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
    public static func keyId(of publicKey: [UInt8]) -> String { String(Hashing.sha256Hex(publicKey).prefix(16)) }

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

/// C2SP signed notes (c2sp.org/signed-note) carrying a tlog-checkpoint
/// (c2sp.org/tlog-checkpoint), signed with Ed25519.
public enum SignedNote {
    /// The note key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
    public static func keyId(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + publicKey).prefix(4))
    }

    /// The checkpoint body: origin, tree size, base64 root hash, one line each.
    public static func checkpointBody(origin: String, treeSize: UInt64, rootHash: [UInt8]) -> String {
        "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n"
    }

    /// The body, a blank line, and the signature line `— <origin> <base64(keyId || signature)>`.
    static func checkpoint(origin: String, treeSize: UInt64, rootHash: [UInt8], key: Curve25519.Signing.PrivateKey) throws -> String {
        let body = checkpointBody(origin: origin, treeSize: treeSize, rootHash: rootHash)
        let signature = try key.signature(for: Array(body.utf8))
        let id = keyId(name: origin, publicKey: Array(key.publicKey.rawRepresentation))
        return body + "\n\u{2014} \(origin) \(Data(id + Array(signature)).base64EncodedString())\n"
    }

    /// Whether `note` is a checkpoint of `origin` signed by `publicKey`; its body when it is.
    public static func verifyCheckpoint(_ note: String, origin: String, publicKey: [UInt8]) -> (treeSize: UInt64, rootHash: [UInt8])? {
        guard let split = note.range(of: "\n\n") else { return nil }
        let body = String(note[..<split.lowerBound]) + "\n"
        let prefix = "\u{2014} \(origin) "
        let id = keyId(name: origin, publicKey: publicKey)
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[0] == origin, let size = UInt64(lines[1]),
              let root = Data(base64Encoded: String(lines[2])), root.count == 32,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return nil }
        for line in note[split.upperBound...].split(separator: "\n") where line.hasPrefix(prefix) {
            guard let raw = Data(base64Encoded: String(line.dropFirst(prefix.count))), raw.count == 4 + 64, Array(raw.prefix(4)) == id else { continue }
            if key.isValidSignature(raw.dropFirst(4), for: Array(body.utf8)) { return (size, Array(root)) }
        }
        return nil
    }
}
