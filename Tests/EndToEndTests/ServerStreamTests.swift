import BusTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The SSE stream of `run-agent bus serve`: framing, backlog, resume, heartbeats, fan-out, rotation.
@Suite struct ServerStreamTests {
    @Test func backlogResumeResetAndHeartbeat() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync", "--heartbeat", "0.2"])
            var ids: [String] = []
            for index in 0..<25 { ids.append(try await postJSON(server.url, "m\(index)")) }

            // No Last-Event-ID: the last 20.
            let fresh = StreamReader(sandbox, server.url + "/api/bus/stream")
            #expect(fresh.wait(messages: 20))
            #expect(fresh.messageIDs == Array(ids.suffix(20)))
            let first = try #require(fresh.events.first)
            #expect(first.name == "message" && first.id == ids[5])
            let decoded = try JSONSerialization.jsonObject(with: Data(first.data.utf8)) as? [String: Any]
            #expect(decoded?["body"] as? String == "m5")
            // Framing on the wire: id, event, data, blank line.
            #expect(fresh.raw.contains("id: \(ids[5])\nevent: message\ndata: {\"msg_id\":\"\(ids[5])\""))

            // Last-Event-ID resumes after that id; ?since= does the same.
            let resumed = StreamReader(sandbox, server.url + "/api/bus/stream", headers: [("Last-Event-ID", ids[21])])
            #expect(resumed.wait(messages: 3))
            #expect(resumed.messageIDs == Array(ids[22...]))
            let bySince = StreamReader(sandbox, server.url + "/api/v1/messages/stream?since=\(ids[23])")
            #expect(bySince.wait(messages: 1))
            #expect(bySince.messageIDs == [ids[24]])

            // An unknown id: event: reset, then the last 20.
            let unknown = StreamReader(
                sandbox,
                server.url + "/api/bus/stream",
                headers: [("Last-Event-ID", "MSG-GONE")]
            )
            #expect(unknown.wait(messages: 20))
            #expect(unknown.events.first?.name == "reset")
            #expect(unknown.messageIDs == Array(ids.suffix(20)))

            // Live messages reach every open stream once; heartbeats keep coming.
            let live = try await postJSON(server.url, "live")
            for reader in [fresh, resumed, bySince, unknown] {
                #expect(reader.wait(messages: reader.messageIDs.count + (reader.messageIDs.last == live ? 0 : 1)))
                #expect(reader.messageIDs.last == live)
                #expect(reader.messageIDs.filter { $0 == live }.count == 1)
            }
            #expect(waitUntil(deadline: .seconds(10)) { fresh.events.filter { $0.name == "heartbeat" }.count >= 2 })

            // Filters apply to streams too.
            let typed = StreamReader(sandbox, server.url + "/api/bus/stream?type=DONE&limit=0")
            #expect(typed.waitConnected())
            _ = try await postJSON(server.url, "not done")
            let done = try await postJSON(server.url, "done", type: "DONE")
            #expect(typed.wait(messages: 1))
            #expect(typed.messageIDs == [done])

            // Graceful shutdown ends the streams and exits 0.
            #expect(server.stop() == 0)
            #expect(waitUntil(deadline: .seconds(10)) { fresh.isEnded })
        }
    }

    @Test func aGoFramedMessageThatGrowsIsSentAgainAsAnUpdate() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let header =
                "---\nmsg_id: MSG-GO-1\nts: 2026-11-26T14:42:16Z\ntype: FACT\nproject_id: p\ntask_id: \"\"\nrun_id: \"\"\n---\n"
            try writeBytes(bus, Array((header + "first line\n").utf8))
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let reader = StreamReader(sandbox, server.url + "/api/bus/stream")
            #expect(reader.wait(messages: 1))
            let handle = try #require(FileHandle(forWritingAtPath: bus))
            handle.seekToEndOfFile()
            handle.write(Data("second line\n".utf8))
            try handle.close()
            #expect(waitUntil(deadline: .seconds(10)) { reader.events.contains { $0.name == "update" } })
            let update = try #require(reader.events.first { $0.name == "update" })
            #expect(update.id == "MSG-GO-1")
            #expect(update.data.contains("first line\\nsecond line"))
        }
    }

    @Test func fiftyClientsGetEveryMessageOfABurstAndAStalledOneIsDropped() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync", "--client-buffer", "64"])
            let readers = (0..<49).map { _ in StreamReader(sandbox, server.url + "/api/bus/stream?limit=0") }
            for reader in readers { #expect(reader.waitConnected()) }
            // The 50th client sends its request and never reads: its socket buffers fill, then its queue.
            let stalled = try StalledClient(url: server.url, path: "/api/bus/stream?limit=0")
            defer { stalled.close() }
            let url = server.url
            let big = String(repeating: "x", count: 2000)
            try await withThrowingTaskGroup(of: [String].self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var ids: [String] = []
                        for index in 0..<250 { ids.append(try await postJSON(url, "\(client)-\(index) \(big)")) }
                        return ids
                    }
                }
                var posted = 0
                for try await ids in group { posted += ids.count }
                #expect(posted == 2000)
            }
            let fileOrder = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"]).jsonObjects()
                .compactMap { $0["msg_id"] as? String }
            #expect(fileOrder.count == 2000)
            for reader in readers {
                #expect(reader.wait(messages: 2000, deadline: .seconds(120)))
                #expect(reader.messageIDs == fileOrder)
            }
            let metrics = try await http(.GET, server.url + "/metrics").body
            #expect(metrics.contains("bus_sse_dropped_clients_total 1"), "\(metrics)")
            #expect(metrics.contains("bus_sse_clients 49"))
        }
    }

    @Test func aRotationDuringStreamsLosesAndRepeatsNothing() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let readers = (0..<4).map { _ in StreamReader(sandbox, server.url + "/api/bus/stream?limit=0") }
            for reader in readers { #expect(reader.waitConnected()) }
            var ids: [String] = []
            for round in 0..<3 {
                for index in 0..<40 { ids.append(try await postJSON(server.url, "r\(round)-\(index)")) }
                let rotated = try sandbox.bus(["rotate", "--bus", bus, "--max-size", "1"])
                #expect(rotated.status == 0, "\(rotated.stderr)")
            }
            for index in 0..<40 { ids.append(try await postJSON(server.url, "after-\(index)")) }
            for reader in readers {
                #expect(reader.wait(messages: ids.count))
                #expect(reader.messageIDs == ids)
            }
            // After a rotation the list shows the live file, as `read` does.
            #expect(try await http(.GET, server.url + "/api/bus").ids == Array(ids.suffix(40)))
        }
    }
}

/// A TCP client that sends one request and then never reads (a small receive buffer fills fast).
final class StalledClient {
    let fd: Int32

    init(url: String, path: String) throws {
        let port = try #require(url.split(separator: ":").last.flatMap { UInt16($0) })
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    func close() { Glibc.close(fd) }
}
