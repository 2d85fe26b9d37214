import BusCore
import Foundation

/// A seeded generator (SplitMix64): the same seed gives the same buses, so a failure can be replayed.
package struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random bus files of every shape the scanner meets: this tool's records, Go-written records (with `---` rules
/// and trailing blank lines in their bodies, CRLF), legacy lines and their variants, legacy blocks, the older
/// camelCase dialect, malformed headers, and a torn tail.
package struct RandomBus {
    package var bytes: [UInt8] = []
    /// Offsets where a record or line starts: the boundaries between appends.
    package var boundaries: [Int] = []
    private var generator: SeededGenerator
    private var counter = 0

    package static let bodies = [
        "plain", "two\nlines", "emoji 🎉 and CJK 日本語", "a\n---\nb", "ends with rule\n\n---", "x\n\n", "",
        "  leading spaces", "[2026-02-05 12:51:53] FACT: looks like a legacy line", "msg_id: inside a body",
        "a\r\nb", "trailing\n", "--- not a rule", "\\---", "line\n\n---\nmsg_id: quoted header\n---",
    ]

    package init(seed: UInt64, pieces: Int) {
        generator = SeededGenerator(seed: seed)
        for _ in 0..<pieces { addPiece() }
        if Int.random(in: 0..<3, using: &generator) == 0 { addTornTail() }
    }

    private mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &generator)] }

    private mutating func nextID() -> String {
        counter += 1
        return "MSG-20261126-0900\(String(format: "%02d", counter % 60))-000000001-PID00042-\(counter)"
    }

    /// Both writers put one `\n` before every record but the first.
    private mutating func separate() {
        if !bytes.isEmpty { bytes.append(0x0A) }
        boundaries.append(bytes.count)
    }

    private mutating func addPiece() {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0, 1, 2:
            separate()
            let message = BusMessage(
                msgID: nextID(),
                timestamp: BusTimestamp(seconds: 1_795_704_136 + Int64(counter), nanoseconds: 0),
                type: "FACT",
                projectID: "p",
                body: pick(Self.bodies)
            )
            bytes += RecordEncoder.encode(message)
        case 3, 4, 5:
            separate()
            var record =
                "---\nmsg_id: \(nextID())\nts: 2026-11-26T09:00:00Z\ntype: FACT\nproject_id: p\ntask_id: \"\"\nrun_id: \"\"\n---\n"
                + pick(Self.bodies) + "\n"
            if Int.random(in: 0..<5, using: &generator) == 0 {
                record = record.replacingOccurrences(of: "\n", with: "\r\n")
            }
            bytes += Array(record.utf8)
        case 6:
            let line = pick([
                "[2026-02-05 12:51:53] FACT: a legacy line", "  [2026-02-05 1:02:03] note : spaced",
                "[ 2026-02-05T12:51:53Z ]DONE: x",
                "[2026-02-05 12:51:53,123]\tINFO: comma", "not a legacy line at all",
            ])
            boundaries.append(bytes.count)
            bytes += Array((line + "\n").utf8)
        case 7:
            boundaries.append(bytes.count)
            let block = pick([
                "[2026-02-04T21:08:11Z] type=issue project=swarm task=planning\nMessage: a block\n  continued\n\n",
                "[2026-02-04T21:08:12Z] type=info project=swarm task=planning agent=x\nMessage: one line\n\n",
            ])
            bytes += Array(block.utf8)
        case 8:
            separate()
            bytes += Array(
                pick([
                    "---\nmsg_id: [broken\n---\nbody of a broken record\n",
                    "---\nmessageId: MSG-OLD-\(counter)\ntype: PROGRESS\ntimestamp: 2026-02-02T22:32:12Z\nagent: codex\n---\nold dialect\n---\n",
                    "---\n---\nmsg_id: MSG-DOUBLED-\(counter)\nts: 2026-11-26T09:00:00Z\ntype: FACT\n---\nafter a doubled separator\n",
                ]).utf8
            )
        default:
            boundaries.append(bytes.count)
            bytes += Array("\n".utf8)
        }
    }

    /// The start of a record whose writer died.
    private mutating func addTornTail() {
        separate()
        let record = RecordEncoder.encode(
            BusMessage(msgID: nextID(), timestamp: .zero, type: "FACT", projectID: "p", body: "torn body")
        )
        bytes += record[..<Int.random(in: 1..<record.count, using: &generator)]
    }

    /// Split points: every boundary, plus random offsets.
    package mutating func splits(random count: Int) -> [Int] {
        var points = Set(boundaries)
        for _ in 0..<count where !bytes.isEmpty { points.insert(Int.random(in: 0...bytes.count, using: &generator)) }
        points.insert(bytes.count)
        return points.sorted()
    }
}
