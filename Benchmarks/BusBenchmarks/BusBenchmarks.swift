import Benchmark
import BusCore

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A scratch folder under /tmp for one benchmark.
private func scratchFolder(_ name: String) -> String {
    var template = Array("/tmp/bus-bench-\(name)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
    return made.map { String(cString: $0) } ?? "/tmp"
}

private let bodyText = String(repeating: "agent chatter about builds, tests and reviews. ", count: 8)

/// Writes `count` messages of about 400 bytes with the real encoder (one group commit per 1000).
private func makeBus(_ path: String, count: Int) throws {
    let writer = BusWriter(path: path, options: WriterOptions(fsync: false))
    var drafts: [MessageDraft] = []
    for index in 0..<count {
        drafts.append(
            MessageDraft(
                type: "PROGRESS",
                projectID: "bench",
                taskID: "task-\(index % 7)",
                body: "\(index) " + bodyText
            )
        )
        if drafts.count == 1000 {
            _ = try writer.post(drafts)
            drafts.removeAll(keepingCapacity: true)
        }
    }
    if !drafts.isEmpty { _ = try writer.post(drafts) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(5)

    Benchmark(
        "append one message, no fsync",
        configuration: .init(metrics: [.wallClock, .throughput, .syscalls], scalingFactor: .kilo)
    ) { benchmark in
        let writer = BusWriter(path: scratchFolder("append") + "/MESSAGE-BUS.md", options: WriterOptions(fsync: false))
        let draft = MessageDraft(type: "FACT", projectID: "bench", body: bodyText)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try writer.post(draft)) }
    }

    Benchmark(
        "append one message, fsync",
        configuration: .init(metrics: [.wallClock, .throughput], maxIterations: 200)
    ) { benchmark in
        let writer = BusWriter(path: scratchFolder("fsync") + "/MESSAGE-BUS.md", options: WriterOptions(fsync: true))
        let draft = MessageDraft(type: "DONE", projectID: "bench", body: bodyText)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try writer.post(draft)) }
    }

    Benchmark(
        "read a 100k-message bus",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal], maxIterations: 10)
    ) { benchmark in
        let path = scratchFolder("read") + "/MESSAGE-BUS.md"
        try makeBus(path, count: 100_000)
        var info = stat()
        stat(path, &info)
        print("bus size: \(info.st_size) bytes")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try BusReader.read(path).messages.count) }
    }

    for count in [100, 100_000] {
        Benchmark(
            "append reaches a tailer, \(count)-message bus",
            configuration: .init(metrics: [.wallClock, .readBytesLogical, .readSyscalls], maxIterations: 2000)
        ) { benchmark in
            let path = scratchFolder("tail") + "/MESSAGE-BUS.md"
            try makeBus(path, count: count)
            sync()  // let writeback of the freshly written bus finish before measuring
            let tailer = try BusTailer(path: path)
            _ = try tailer.refresh()
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false))
            let draft = MessageDraft(type: "FACT", projectID: "bench", body: "ping")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                _ = try writer.post(draft)
                var seen = 0
                while seen == 0 {
                    tailer.wait(timeout: .milliseconds(100))
                    seen = try tailer.refresh().messages.count
                }
            }
        }
    }
}
