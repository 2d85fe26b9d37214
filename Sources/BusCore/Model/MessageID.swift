import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes message ids: `MSG-<YYYYMMDD-HHMMSS>-<9-digit ns>-PID<pid, at least 5 digits>-<4-digit sequence>`.
///
/// The time comes from the same clock reading as the record's `ts`, so ids sort by time. The pid is written in
/// full (Go takes it modulo 100000 and collides on hosts with a large `pid_max`); the per-process sequence tells
/// apart ids made within one nanosecond.
package final class MessageIDGenerator: Sendable {
    private let pid: Int
    private let clock: @Sendable () -> BusTimestamp
    private let sequence = Mutex<Int>(0)

    /// - Parameters:
    ///   - pid: the process id to embed; the current process by default.
    ///   - clock: the wall clock; injected by tests.
    package init(pid: Int = Int(getpid()), clock: @escaping @Sendable () -> BusTimestamp = BusTimestamp.now) {
        self.pid = pid
        self.clock = clock
    }

    /// The generator of this process, shared so its sequence numbers stay unique.
    package static let shared = MessageIDGenerator()

    /// A fresh id and the timestamp it encodes.
    package func next() -> (id: String, timestamp: BusTimestamp) {
        let number = sequence.withLock { value in
            value = value % 9999 + 1
            return value
        }
        let now = clock()
        return (Self.format(timestamp: now, pid: pid, sequence: number), now)
    }

    /// Formats an id from its parts.
    package static func format(timestamp: BusTimestamp, pid: Int, sequence: Int) -> String {
        "MSG-" + timestamp.civil.compact + "-" + BusTimestamp.padded(Int(timestamp.nanoseconds), width: 9) + "-PID"
            + BusTimestamp.padded(pid, width: 5) + "-" + BusTimestamp.padded(sequence, width: 4)
    }
}
