import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 6: a bounded fuzz loop over the record scanner (libFuzzer's `-sanitize=fuzzer` needs a toolchain
/// runtime this machine's Swift does not ship, so it is a seeded loop inside `swift test`).
///
/// Random bytes and random mutations of real-shaped buses never crash the scanner, never return a record twice,
/// and records written by this tool's writer always come back exactly, whatever surrounds them.
/// `BUS_FUZZ_ITERATIONS` runs it longer (CI runs the default, a few seconds).
@Suite struct ScannerFuzzTests {
    static var iterations: Int {
        Int(ProcessInfo.processInfo.environment["BUS_FUZZ_ITERATIONS"] ?? "") ?? 400
    }

    /// Checks the invariants of one scan: offsets strictly increase, nothing reported twice.
    private func checkInvariants(_ bytes: [UInt8], seed: UInt64) {
        let result = RecordScanner.scan(bytes)
        let offsets = result.offsets
        #expect(zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 }, "seed \(seed): a record twice")
        let bad = result.malformed.map(\.offset)
        #expect(zip(bad, bad.dropFirst()).allSatisfy { $0 < $1 }, "seed \(seed): malformed twice")
        #expect(result.end <= bytes.count)
        // The writer's view of the same bytes never crashes either.
        _ = RecordScanner.scan(bytes, from: ScanCursor(), final: true)
    }

    @Test func randomBytesAndMutationsNeverBreakTheScanner() {
        var generator = SeededGenerator(seed: 0xB05)
        for round in 0..<Self.iterations {
            let seed = generator.next()
            var local = SeededGenerator(seed: seed)
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 0..<600, using: &local)).map { _ in
                    // Mostly the bytes that matter to the framing.
                    [0x2D, 0x0A, 0x0D, 0x5B, 0x5D, 0x3A, 0x20, 0x61][Int.random(in: 0..<8, using: &local)]
                }
            default:
                bytes = RandomBus(seed: seed, pieces: 10).bytes
                for _ in 0..<Int.random(in: 1..<6, using: &local) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &local)
                    switch Int.random(in: 0..<4, using: &local) {
                    case 0: bytes[at] ^= UInt8.random(in: 1...255, using: &local)
                    case 1: bytes.insert(contentsOf: Array("\n---\n".utf8), at: at)
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1..<40, using: &local)))
                    default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 80)], at: at)
                    }
                }
            }
            checkInvariants(bytes, seed: seed)
        }
    }

    /// This tool's records come back exactly between any complete records, lines and garbage of other writers.
    @Test func ownRecordsAlwaysComeBackExactly() {
        var generator = SeededGenerator(seed: 0x0A11)
        for _ in 0..<(Self.iterations / 4) {
            let seed = generator.next()
            var local = SeededGenerator(seed: seed)
            var bytes: [UInt8] = []
            var written: [BusMessage] = []
            for index in 0..<Int.random(in: 1..<8, using: &local) {
                // Other writers' complete pieces (a random bus without a torn tail ends in `\n` or is empty).
                var other = RandomBus(seed: local.next(), pieces: Int.random(in: 0..<4, using: &local)).bytes
                while let last = other.last, last != 0x0A { other.removeLast() }
                if !other.isEmpty {
                    if !bytes.isEmpty { bytes.append(0x0A) }
                    bytes += other
                }
                let message = BusMessage(
                    msgID: "MSG-20261126-090000-000000001-PID00042-\(index)",
                    timestamp: BusTimestamp(seconds: 1_795_704_136, nanoseconds: Int32(index)),
                    type: "FACT",
                    projectID: "demo",
                    taskID: "task-20261126-090000-api",
                    meta: ["seed": String(seed)],
                    body: RandomBus.bodies[Int.random(in: 0..<RandomBus.bodies.count, using: &local)] + " 🚀"
                )
                if !bytes.isEmpty { bytes.append(0x0A) }
                bytes += RecordEncoder.encode(message)
                written.append(message)
            }
            let found = RecordScanner.scan(bytes).messages.filter { $0.meta["seed"] == String(seed) }
            #expect(found == written, "seed \(seed)")
            checkInvariants(bytes, seed: seed)
        }
    }
}
