import BusTestSupport
import Foundation
import NIOHTTP1
import Testing

/// What `run-agent bus serve` does around the posts (issue 10): metrics, lock-wait logging, graceful shutdown,
/// truncation under a stream, the compatibility routes' limits and streams.
@Suite struct ServerOperationsTests {
    @Test func metricsCountLockWaitsFsyncsBatchesAndAMalformedRecord() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus])
            for index in 0..<3 { _ = try await postJSON(server.url, "m\(index)") }
            // A broken record appended by hand, then one more post: the tailer reads both.
            let handle = try #require(FileHandle(forWritingAtPath: bus))
            handle.seekToEndOfFile()
            handle.write(Data("---\nmsg_id: [broken\n---\nbody\n".utf8))
            try handle.close()
            _ = try await postJSON(server.url, "after the broken one")

            let metrics = try await http(.GET, server.url + "/metrics").body
            #expect(sample(metrics, "bus_appends_total") == 4, "\(metrics)")
            for histogram in ["bus_lock_wait_seconds", "bus_fsync_seconds"] {
                #expect(sample(metrics, histogram + "_count").map { $0 > 0 } == true, "\(histogram): \(metrics)")
                #expect(sample(metrics, histogram + "_sum").map { $0 > 0 } == true, "\(histogram): \(metrics)")
            }
            let batches = try #require(sample(metrics, "bus_group_commit_batch_size_count"), "\(metrics)")
            #expect(batches > 0 && batches <= 4)
            #expect(sample(metrics, "bus_group_commit_batch_size_sum") == 4)
            #expect(sample(metrics, "bus_malformed_records_total") == 1, "\(metrics)")
            #expect(server.child.stderr.contains(bus), "the malformed record is logged: \(server.child.stderr)")
        }
    }
}

/// The value of an unlabelled sample in a Prometheus exposition.
private func sample(_ exposition: String, _ name: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(name + " ") {
        return Double(line.dropFirst(name.count + 1))
    }
    return nil
}
