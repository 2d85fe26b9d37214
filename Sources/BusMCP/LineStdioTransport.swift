import BusCore
import Foundation
import Logging
internal import MCP

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// MCP's stdio framing (one JSON-RPC message per line) over blocking reads on a thread of its own.
///
/// The SDK's `StdioTransport` makes stdin non-blocking and, when nothing is there, sleeps 10 ms before it reads
/// again: every request that arrives while it sleeps waits for the rest of those 10 ms, which doubles a
/// `bus_post` round trip. Here a thread sleeps in `read(2)` and is woken by the request itself.
actor LineStdioTransport: Transport {
    nonisolated let logger = Logger(label: "run-agent.mcp.stdio", factory: { _ in SwiftLogNoOpLogHandler() })
    private let input: Int32
    private let output: Int32
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var connected = false

    /// - Parameters:
    ///   - input: the descriptor requests are read from (stdin).
    ///   - output: the descriptor answers and notifications are written to (stdout).
    init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        let (input, continuation) = (input, continuation)
        let reader = Thread { Self.readLines(from: input, into: continuation) }
        reader.name = "bus-mcp-stdin"
        reader.start()
    }

    func disconnect() async {
        connected = false
        continuation.finish()
    }

    /// Writes `data` and a line feed, all of it (short writes, EINTR, and a non-blocking stdout handled).
    /// - Throws: `BusMCPError.bus(.system)` naming `write` and the errno when stdout is gone.
    func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(0x0A)
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(output, raw.baseAddress.map { $0 + done }, raw.count - done)
            }
            if written > 0 {
                done += written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var ready = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
            } else {
                throw BusMCPError.bus(.system(call: "write", path: "(stdout)", errno: errno))
            }
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }

    /// The reading thread: blocks in `read(2)`, yields each complete line, and finishes at end of input.
    private static func readLines(
        from input: Int32,
        into continuation: AsyncThrowingStream<Data, any Error>.Continuation
    ) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in read(input, raw.baseAddress, raw.count) }
            if count > 0 {
                var start = pending.count
                pending.append(contentsOf: chunk[..<count])
                var lineStart = 0
                while let newline = pending[start...].firstIndex(of: 0x0A) {
                    if newline > lineStart { continuation.yield(Data(pending[lineStart..<newline])) }
                    lineStart = newline + 1
                    start = lineStart
                }
                pending.removeFirst(lineStart)
            } else if count == 0 {
                break
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                // A parent left stdin non-blocking: wait for input instead of spinning.
                var ready = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                _ = poll(&ready, 1, -1)
            } else {
                continuation.finish(throwing: BusMCPError.bus(.system(call: "read", path: "(stdin)", errno: errno)))
                return
            }
        }
        continuation.finish()
    }
}
