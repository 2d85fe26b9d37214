import Foundation
import Testing

@testable import BusMCP

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

@Suite("stdio framing")
struct LineStdioTransportTests {
    @Test("lines split across reads come out whole, blank lines are skipped, end of input ends the stream")
    func framing() async throws {
        var requests: [Int32] = [0, 0]
        var answers: [Int32] = [0, 0]
        #expect(pipe(&requests) == 0)
        #expect(pipe(&answers) == 0)
        defer { close(answers[0]) }
        let transport = LineStdioTransport(input: requests[0], output: answers[1])
        try await transport.connect()
        for piece in ["{\"id\":1,\"body\":\"日本", "語 ✅\"}\n\n{\"id\"", ":2}\n"] {
            let bytes = Array(piece.utf8)
            #expect(write(requests[1], bytes, bytes.count) == bytes.count)
        }
        close(requests[1])
        var received: [String] = []
        for try await message in await transport.receive() { received.append(String(decoding: message, as: UTF8.self)) }
        #expect(received == ["{\"id\":1,\"body\":\"日本語 ✅\"}", "{\"id\":2}"])
        close(requests[0])

        try await transport.send(Data("{\"id\":3}".utf8))
        close(answers[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(answers[0], &buffer, buffer.count)
        #expect(Array(buffer.prefix(max(count, 0))) == Array("{\"id\":3}\n".utf8))
    }
}
