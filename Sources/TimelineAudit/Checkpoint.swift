import Crypto
import Foundation
import TimelineModel

/// A signed checkpoint of the chain head (DOMAIN.md "Audit rules"):
/// `{"position", "hash", "recordedAt", "signedAt", "keyId", "signature"}`, where
/// `signature` is base64 Ed25519 over canonical(the checkpoint without `signature`).
public struct Checkpoint: Sendable, Hashable {
    public var position: UInt64
    public var hash: String
    public var recordedAt: String
    public var signedAt: String
    public var keyId: String
    public var signature: String
    /// The Merkle tree head the checkpoint carries (DOMAIN.md "Merkle tree"), when it does.
    public var treeSize: UInt64?
    public var rootHash: String?
    /// The same tree head as a C2SP tlog-checkpoint signed note.
    public var note: String?
    /// Every member as read, so the signed bytes are exactly what was signed.
    public var members: [String: JSONValue]

    /// Reads a checkpoint from its JSON text.
    public init(bytes: [UInt8]) throws(AuditError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw AuditError("the checkpoint is not valid JSON: \(error.message)")
        }
        guard let o = value.objectValue else { throw AuditError("the checkpoint must be a JSON object") }
        func string(_ key: String) throws(AuditError) -> String {
            guard let s = o[key]?.stringValue else { throw AuditError("the checkpoint lacks the string field \(key)") }
            return s
        }
        guard let position = o["position"]?.intValue, position >= 0 else {
            throw AuditError("the checkpoint lacks the integer field position")
        }
        self.position = UInt64(position)
        hash = try string("hash")
        recordedAt = try string("recordedAt")
        signedAt = try string("signedAt")
        keyId = try string("keyId")
        signature = try string("signature")
        treeSize = o["treeSize"]?.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil }
        rootHash = o["rootHash"]?.stringValue
        note = o["note"]?.stringValue
        members = o
    }

    /// Reads a checkpoint file (`timelinectl checkpoint --out`, admin.checkpoint's reply).
    public init(file path: String) throws(AuditError) {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw AuditError("cannot read the checkpoint file \(path)") }
        try self.init(bytes: Array(bytes))
    }

    /// The bytes the signature covers: canonical(checkpoint without `signature`).
    public var signedBytes: [UInt8] {
        var body = members
        body.removeValue(forKey: "signature")
        return CanonicalJSON.encode(.object(body))
    }

    /// The key id of a raw Ed25519 public key: first 16 hex digits of its SHA-256.
    public static func keyId(of publicKey: [UInt8]) -> String { CheckpointKeyId.of(publicKey) }

    /// Reads a public key file: base64 of the raw 32-byte Ed25519 key.
    public static func publicKey(fromFile path: String) throws(AuditError) -> [UInt8] {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw AuditError("cannot read the public key file \(path)")
        }
        return try publicKey(fileBytes: Array(bytes), name: path)
    }

    /// Reads the bytes of a public key file (`checkpoint.pub`: base64 of the raw
    /// 32-byte Ed25519 key); `name` says where they came from, for the error.
    public static func publicKey(fileBytes: [UInt8], name: String = "checkpoint.pub") throws(AuditError) -> [UInt8] {
        let text = String(decoding: fileBytes, as: UTF8.self)
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32 else {
            throw AuditError("\(name) is not base64 of a raw 32-byte Ed25519 public key")
        }
        return Array(raw)
    }

    /// Findings about the signature alone (empty when it verifies with `publicKey`).
    public func signatureFindings(publicKey: [UInt8]) -> [Finding] {
        var findings: [Finding] = []
        let expectedId = Self.keyId(of: publicKey)
        if keyId != expectedId {
            findings.append(Finding(
                .checkpointSignatureInvalid, position: position,
                "the checkpoint names key \(keyId) but the public key given is \(expectedId)"
            ))
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey),
              let signatureBytes = Data(base64Encoded: signature),
              key.isValidSignature(signatureBytes, for: Data(signedBytes))
        else {
            findings.append(Finding(
                .checkpointSignatureInvalid, position: position,
                "the checkpoint's signature does not verify with key \(expectedId): the checkpoint was altered or signed by another key"
            ))
            return findings
        }
        return findings
    }

    /// Findings about the Merkle tree head: `treeSize` is the position, `rootHash`
    /// the root of the log's tree of that size (`root`, `nil` when the replay could
    /// not build it), and the note a valid signed note of the same head.
    public func merkleFindings(root: [UInt8]?, publicKey: [UInt8]?) -> [Finding] {
        var findings: [Finding] = []
        if let treeSize, treeSize != position {
            findings.append(Finding(.checkpointMismatch, position: position, "the checkpoint's treeSize \(treeSize) is not its position \(position)"))
        }
        if let rootHash, let root, rootHash != Hashing.hex(root) {
            findings.append(Finding(
                .merkleMismatch, position: position,
                "the checkpoint's rootHash \(rootHash.prefix(16))… is not the root of the log's first \(position) events (\(Hashing.hex(root).prefix(16))…): the log was rewritten after it was signed"
            ))
        }
        if let note, let publicKey {
            let origin = String(note.prefix { $0 != "\n" })
            if let head = SignedNote.verifyCheckpoint(note, origin: origin, publicKey: publicKey) {
                if head.treeSize != (treeSize ?? position) || Hashing.hex(head.rootHash) != (rootHash ?? "") {
                    findings.append(Finding(.checkpointMismatch, position: position, "the checkpoint's note is of tree size \(head.treeSize) with another root than the checkpoint's own fields"))
                }
            } else {
                findings.append(Finding(.checkpointSignatureInvalid, position: position, "the checkpoint's note is not a checkpoint of origin \(origin) signed by the given key"))
            }
        }
        return findings
    }

    /// Findings comparing the checkpoint with the log's `hash` and `recordedAt`
    /// at its position (`nil` when the log does not reach it).
    public func logFindings(recordAt: (hash: String, recordedAt: String)?, logHead: UInt64) -> [Finding] {
        if position == 0 {
            return hash == Hashing.zeroHash ? [] : [Finding(.checkpointMismatch, position: 0, "a checkpoint of the empty log must carry 64 zeros as its hash")]
        }
        guard let recordAt else {
            return [Finding(
                .checkpointMismatch, position: position,
                "the checkpoint is of position \(position) but the log ends at \(logHead): events were removed after it was signed"
            )]
        }
        var findings: [Finding] = []
        if recordAt.hash != hash {
            findings.append(Finding(
                .checkpointMismatch, position: position,
                "the log's hash at position \(position) is \(recordAt.hash.prefix(16))…, the signed checkpoint says \(hash.prefix(16))…: the chain was rewritten after it was signed"
            ))
        } else if recordAt.recordedAt != recordedAt {
            findings.append(Finding(
                .checkpointMismatch, position: position,
                "the log's recordedAt at position \(position) is \(recordAt.recordedAt), the checkpoint says \(recordedAt)"
            ))
        }
        return findings
    }
}

/// An audit that could not run: the input is unreadable (exit code 2).
public struct AuditError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do, as a sentence.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
