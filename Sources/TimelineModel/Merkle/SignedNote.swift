import Crypto
import Foundation

/// The checkpoint key id of DOMAIN.md "Audit rules": the first 16 hex digits of
/// SHA-256 of the raw 32-byte Ed25519 public key (the daemon signs with it, the
/// auditor checks it). Not the 4-byte key id of signed notes (``SignedNote/keyId(name:publicKey:)``).
public enum CheckpointKeyId {
    public static func of(_ publicKey: [UInt8]) -> String { String(Hashing.sha256Hex(publicKey).prefix(16)) }
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
    public static func checkpoint(origin: String, treeSize: UInt64, rootHash: [UInt8], key: Curve25519.Signing.PrivateKey) throws -> String {
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
