import TimelineModel

/// What the timeline page's badge says about an order's events: whether each one
/// is proven, by its own hashes and an inclusion proof (RFC 9162), to be in the log
/// a signed checkpoint covers. These are the checks `check-proof` makes of one
/// proof file and an evidence bundle's `proofs/` carry, made here for every event shown.
///
/// ```swift
/// let v = try TimelineVerification.check(events: events, source: source, checkpoint: cp, publicKey: key)
/// print(v.headline)   // "Verified: the chain up to position 42 …"
/// ```
public struct TimelineVerification: Sendable {
    /// The badge's colour, in short.
    public enum Status: String, Sendable {
        /// Every event shown is proven in the tree of a signed checkpoint whose signature verifies.
        case verified
        /// Nothing found wrong, but not all is signed: no checkpoint covers (all) the
        /// events, it carries no Merkle root, or no public key checked its signature.
        case unsigned
        /// Something does not hold: an event's hashes, its proof, or the checkpoint.
        case broken
        /// The source carries no proofs (an export, a stream): nothing was checked.
        case unchecked
    }

    /// One thing that does not hold.
    public struct Problem: Sendable, Hashable {
        /// The event it concerns (`nil`: the checkpoint itself).
        public var position: UInt64?
        /// What is wrong, as a sentence.
        public var message: String
    }

    /// The badge's colour.
    public var status: Status
    /// The size of the tree the events were proven in: the chain is verified up to this position.
    public var treeSize: UInt64
    /// The signed checkpoint the proofs lead to (`nil`: the log's head, unsigned).
    public var checkpoint: Checkpoint?
    /// The key id of the public key the checkpoint's signature was checked with (`nil`: none was at hand).
    public var keyId: String?
    /// How many events were checked.
    public var checked: Int
    /// How many of them are proven without a problem.
    public var proven: Int
    /// Positions shown after the checkpoint's tree: proven only against the head, unsigned.
    public var unsignedPositions: [UInt64]
    /// Everything that does not hold, in position order (the checkpoint's own first).
    public var problems: [Problem]
    /// Why the result is not `verified` although nothing is broken, as sentences.
    public var notes: [String]

    /// The problems of the event at `position`.
    public func problems(at position: UInt64) -> [String] {
        problems.filter { $0.position == position }.map(\.message)
    }

    /// The badge's sentence.
    public var headline: String {
        switch status {
        case .verified:
            let cp = checkpoint.map { " against the signed checkpoint at position \($0.position) (key \($0.keyId), signed \($0.signedAt))" } ?? ""
            return "Verified: the chain up to position \(treeSize)\(cp); all \(checked) events of this order are proven in it."
        case .unsigned where !unsignedPositions.isEmpty:
            let first = unsignedPositions.first ?? 0
            return "Partly signed: the chain is verified up to position \(treeSize) against the signed checkpoint there, but \(plural(unsignedPositions.count, "event")) from #\(first) on \(unsignedPositions.count == 1 ? "is" : "are") proven only against the log's head (sign a newer checkpoint)."
        case .unsigned:
            return "Not signed: the \(checked) events hash correctly and are in the log up to position \(treeSize), but \(notes.first ?? "no signed checkpoint covers them")."
        case .broken:
            let events = Set(problems.compactMap(\.position)).count
            let what = events > 0 ? "\(events) of \(checked) events do not verify" : "the checkpoint does not verify"
            return "BROKEN: \(what) against \(checkpoint.map { "the signed checkpoint at position \($0.position)" } ?? "the log's head at position \(treeSize)"); see below."
        case .unchecked:
            return "Not verified: \(notes.first ?? "this source carries no proofs")."
        }
    }

    /// Checks `events` (one order's, in revision order) with proofs from `source`:
    /// against `checkpoint`'s tree, with `publicKey` (raw Ed25519) for its signature;
    /// without a checkpoint against the head. An event after the checkpoint is
    /// proven against the head and listed in ``unsignedPositions``.
    public static func check(
        events: [RecordedEvent], source: some BundleSource, checkpoint: Checkpoint?, publicKey: [UInt8]?
    ) throws(AuditError) -> TimelineVerification {
        let head = try source.headPosition()
        var problems: [Problem] = []
        var notes: [String] = []
        var signed = checkpoint
        if let cp = checkpoint {
            let size = cp.treeSize ?? cp.position
            if let publicKey {
                problems += (cp.signatureFindings(publicKey: publicKey) + cp.merkleFindings(root: nil, publicKey: publicKey)).map { Problem(position: nil, message: $0.message) }
            } else {
                notes.append("the checkpoint's signature was not checked: no public key (give --public-key, the daemon's checkpoint.pub)")
            }
            if size > head {
                problems.append(Problem(position: nil, message: "the checkpoint is of \(size) events but the log ends at position \(head): events were removed after it was signed"))
                signed = nil
            } else if cp.rootHash == nil {
                notes.append("the checkpoint at position \(cp.position) carries no Merkle root, so no event can be proven against it")
                signed = nil
            }
        } else {
            notes.append("no signed checkpoint covers them (sign one with `timelinectl checkpoint`)")
        }
        let signedSize = signed.map { $0.treeSize ?? $0.position }
        var unsigned: [UInt64] = []
        var proven = 0
        for event in events {
            let size: UInt64
            if let signedSize, event.position <= signedSize { size = signedSize } else {
                size = head
                if signed != nil { unsigned.append(event.position) }
            }
            var found: [String]
            if event.position > head {
                found = ["the event is at position \(event.position), past the log's head \(head)"]
            } else {
                do {
                    let proof = try source.inclusionProof(position: event.position, treeSize: size)
                    let bundle = InclusionBundle(
                        event: event, position: proof.position, treeSize: proof.treeSize, leafHash: proof.leafHash,
                        rootHash: proof.rootHash, proof: proof.proof, checkpoint: nil
                    )
                    found = bundle.proofProblems
                    if let signed, size == signedSize { found += bundle.rootProblems(signed) }
                } catch {
                    found = [error.message]
                }
            }
            if found.isEmpty { proven += 1 }
            problems += found.map { Problem(position: event.position, message: $0) }
        }
        if !unsigned.isEmpty {
            notes.append("\(plural(unsigned.count, "event")) after the checkpoint's position \(signedSize ?? 0) \(unsigned.count == 1 ? "is" : "are") proven only against the head (sign a newer checkpoint)")
        }
        let status: Status = !problems.isEmpty ? .broken : (signed != nil && publicKey != nil && unsigned.isEmpty ? .verified : .unsigned)
        return TimelineVerification(
            status: status, treeSize: signedSize ?? head, checkpoint: checkpoint, keyId: publicKey.map(Checkpoint.keyId(of:)),
            checked: events.count, proven: proven, unsignedPositions: unsigned, problems: problems, notes: notes
        )
    }

    /// The result for a source that carries no proofs (an export, a stream): nothing was checked.
    public static func notChecked(events: Int, because reason: String) -> TimelineVerification {
        TimelineVerification(
            status: .unchecked, treeSize: 0, checkpoint: nil, keyId: nil, checked: events, proven: 0,
            unsignedPositions: [], problems: [], notes: [reason]
        )
    }

    /// For the JSON timeline.
    public var json: JSONValue {
        [
            "status": .string(status.rawValue), "headline": .string(headline), "treeSize": .int(Int64(treeSize)),
            "checkpointPosition": checkpoint.map { .int(Int64($0.position)) } ?? .null,
            "keyId": keyId.map { .string($0) } ?? .null, "checked": .int(Int64(checked)), "proven": .int(Int64(proven)),
            "unsignedPositions": .array(unsignedPositions.map { .int(Int64($0)) }),
            "problems": .array(problems.map { ["position": $0.position.map { .int(Int64($0)) } ?? .null, "message": .string($0.message)] }),
            "notes": .array(notes.map { .string($0) }),
        ]
    }
}

extension BundleSource {
    /// The latest signed checkpoint the source knows whose tree covers `position`.
    public func latestCheckpoint(covering position: UInt64) -> Checkpoint? {
        checkpoints.filter { ($0.treeSize ?? $0.position) >= position }.max { $0.position < $1.position }
    }
}
