#if os(Linux)
import CNcursesw
@preconcurrency import Glibc

/// Measures how the terminal places grapheme clusters where terminals differ (ZWJ, skin tones, VS16), so the
/// grid measures them as the terminal will.
///
/// Runs once after `newterm` put the terminal in raw, no-echo mode and before the first frame (which clears the
/// screen). Each sample is written at the start of the line and followed by a cursor position request; the reply
/// is read from stdin directly (ncurses has not read anything yet), waiting at most `timeout` for each.
enum WidthProbe {
    static let timeout = Duration.milliseconds(200)

    static func measure() -> ClusterWidthProfile {
        var widths: [WidthProbeReply.Sample: Int] = [:]
        var typed: [UInt8] = []
        defer {
            // Keys typed while the probe ran go back to ncurses (`ungetch` is last in, first out).
            for byte in typed.reversed() { ungetch(Int32(byte)) }
        }
        for sample in WidthProbeReply.Sample.allCases {
            shim_raw_text("\r" + sample.text + "\u{1B}[6n")
            shim_raw_flush()
            guard let column = readReply(typed: &typed) else { break }  // no answer: this terminal does not report
            widths[sample] = column
        }
        // Leave the line blank again.
        shim_raw_text("\r\u{1B}[K")
        shim_raw_flush()
        return WidthProbeReply.profile(widths)
    }

    /// Reads stdin until a cursor position report ends (`R`) or the timeout passes; other bytes (keys typed
    /// meanwhile) are added to `typed`.
    private static func readReply(typed: inout [UInt8]) -> Int? {
        var bytes: [UInt8] = []
        defer {
            // What is not the report is the user's.
            if let escape = bytes.lastIndex(of: 0x1B), bytes.last == UInt8(ascii: "R") {
                typed += bytes[..<escape]
            } else {
                typed += bytes
            }
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline, bytes.count < 64 {
            let left = ContinuousClock.now.duration(to: deadline)
            let milliseconds = Int32(
                max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            )
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { return nil }
            var byte: UInt8 = 0
            guard read(STDIN_FILENO, &byte, 1) == 1 else { return nil }
            bytes.append(byte)
            if byte == UInt8(ascii: "R"), let column = WidthProbeReply.column(in: bytes) { return column }
        }
        return nil
    }
}
#endif
