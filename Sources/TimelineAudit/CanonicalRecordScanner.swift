import Crypto
import TimelineModel

/// The audit's fast path: a record read by ``CanonicalRecordReader`` with
/// `dataHash` and `hash` checked over its stored bytes, no re-encoding.
enum CanonicalRecordScanner {
    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> ChainReplay.Item? {
        guard let read = CanonicalRecordReader.read(b) else { return nil }
        let (dataM, dataHashM, hashM, prevHashM) = (read.data, read.dataHash, read.hash, read.prevHash)
        func slice(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> { CanonicalRecordReader.slice(b, r) }
        // dataHash over the data member's bytes; hash over every member RecordField.isHashed
        // names, i.e. all but data and hash (a test holds RecordField to exactly those two).
        let dataDigest = SHA256.hash(data: UnsafeRawBufferPointer(slice(dataM.value)))
        // The record without the data and hash members (and one comma each) is at most
        // three runs of its own bytes, gathered on the stack and hashed in one call
        // (each call into the hasher costs about as much as hashing 64 bytes).
        // `actor` sorts first and is required, so both are preceded by a comma.
        guard b[dataM.whole.lowerBound - 1] == UInt8(ascii: ","), b[hashM.whole.lowerBound - 1] == UInt8(ascii: ",") else { return nil }
        let dataCut = (dataM.whole.lowerBound - 1)..<dataM.whole.upperBound
        let hashCut = (hashM.whole.lowerBound - 1)..<hashM.whole.upperBound
        let (first, second) = dataCut.lowerBound < hashCut.lowerBound ? (dataCut, hashCut) : (hashCut, dataCut)
        let hashDigest = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: b.count) { gathered in
            var from = 0, length = 0
            func keep(upTo end: Int) {
                guard end > from else { return }
                _ = UnsafeMutableBufferPointer(rebasing: gathered[length..<(length + end - from)]).initialize(from: slice(from..<end))
                length += end - from
            }
            keep(upTo: first.lowerBound)
            from = max(from, first.upperBound)
            keep(upTo: second.lowerBound)
            from = max(from, second.upperBound)
            keep(upTo: b.count)
            return SHA256.hash(data: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(gathered)[..<length]))
        }
        let inner = { (m: CanonicalRecordReader.Member) in slice((m.value.lowerBound + 1)..<(m.value.upperBound - 1)) }
        var problems: [String] = []
        if read.unknownMembers > 0 { problems.append("\(read.unknownMembers) field(s) a recorded event does not have") }
        if !read.recordedAtInDaemonForm {
            problems.append("recordedAt \(String(decoding: inner(read.recordedAt), as: UTF8.self)) not in the daemon's form (6 fractional digits and Z)")
        }
        let storedHash = Digest32(hex: inner(hashM))
        let record = (consume read).record  // moved into the item, not copied
        return ChainReplay.Item(
            record: record,
            hashes: ChainReplay.HashCheck(
                dataHashOK: Digest32(hex: inner(dataHashM)) == Digest32(dataDigest), hashOK: storedHash == Digest32(hashDigest)
            ),
            hash: storedHash, prevHash: Digest32(hex: inner(prevHashM)), formProblems: problems
        )
    }
}

extension Digest32 {
    /// The digest's 32 bytes as four big-endian words (so it equals the digest parsed from its hex).
    init(_ digest: SHA256Digest) {
        var w = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        digest.withUnsafeBytes { raw in
            func word(_ at: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            w = (word(0), word(8), word(16), word(24))
        }
        self.init(w0: w.0, w1: w.1, w2: w.2, w3: w.3)
    }
}
