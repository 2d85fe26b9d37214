import Benchmark
import BusCore
import BusTUI

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

/// About 64 MiB of records of 1-5 body lines of about 80 characters, in this tool's layout or Go's.
private func scannerInput(goLayout: Bool) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = 0
    while bytes.count < 64 << 20 {
        let lines = (0...(index % 5)).map { line in
            "line \(line) of message \(index): agents talk about builds, tests, reviews and deploys 🎉"
        }
        let message = BusMessage(
            msgID: "MSG-20261126-090000-000000001-PID00042-\(index)",
            timestamp: BusTimestamp(seconds: 1_795_704_136 + Int64(index), nanoseconds: 0),
            type: "FACT",
            projectID: "bench",
            taskID: "task-20261126-090000-api",
            body: lines.joined(separator: "\n")
        )
        if goLayout {
            let header = "---\nmsg_id: \(message.msgID)\nts: \(message.timestamp.rfc3339)\ntype: FACT\n"
            bytes += Array((header + "project_id: bench\ntask_id: \(message.taskID)\n---\n\(message.body)\n\n").utf8)
        } else {
            if !bytes.isEmpty { bytes.append(0x0A) }
            bytes += RecordEncoder.encode(message)
        }
        index += 1
    }
    return bytes
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

    // Issue 8, target 6: the record scanner alone, both writers' layouts, from bytes in memory; MiB/s is the
    // size in the name over the wall-clock time of one iteration.
    for goLayout in [false, true] {
        let bytes = scannerInput(goLayout: goLayout)
        let mebibytes = max(bytes.count >> 20, 1)
        Benchmark(
            "scan \(goLayout ? "Go" : "own") layout, \(mebibytes) MiB per iteration",
            configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .one, maxIterations: 20)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(RecordScanner.scan(bytes).messages.count)
            }
        }
        // The same scan as `read --json` runs it: records handed out as found, no message built (the fields
        // are byte ranges; the timestamps are parsed, the checksums checked).
        Benchmark(
            "scan records \(goLayout ? "Go" : "own") layout, \(mebibytes) MiB per iteration",
            configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .one, maxIterations: 20)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                var count = 0
                _ = bytes.withUnsafeBufferPointer { buffer in
                    RecordScanner.scan(buffer) { event in
                        if case .record(let record, _) = event { count &+= record.offset }
                    }
                }
                blackHole(count)
            }
        }
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

    // Issue 11: opening a 100k-message bus in the monitor with its reply counts (target: the counts cost at most
    // 100 ms), and one character typed into the filter on it, up to the finished frame (target: 50 ms).
    let swarm = MonitorBenchmark.swarmMessages(count: 100_000)
    Benchmark(
        "monitor: reply counts of 100k messages",
        configuration: .init(metrics: [.wallClock], scalingFactor: .one, maxIterations: 50)
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(MonitorBenchmark.replyIndex(swarm)) }
    }
    Benchmark(
        "monitor: open 100k messages (store, reply counts, filters, first frame)",
        configuration: .init(metrics: [.wallClock], scalingFactor: .one, maxIterations: 20)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(MonitorBenchmark(swarm).render())
        }
    }
    // One key in the filter prompt, the refilter of all 100k messages it causes and the frame after it; opening
    // the bus (and typing the key before, for Backspace) is set-up, not measured.
    for (name, before, key) in [("q typed into an empty filter", "", Character?("q")), ("Backspace after q", "q", nil)]
    {
        Benchmark(
            "monitor: \(name), 100k messages, to the frame",
            configuration: .init(metrics: [.wallClock], scalingFactor: .one, maxIterations: 100)
        ) { benchmark in
            var monitor = MonitorBenchmark(swarm)
            for character in before { blackHole(monitor.filterKey(character)) }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(monitor.filterKey(key)) }
        }
    }
}
