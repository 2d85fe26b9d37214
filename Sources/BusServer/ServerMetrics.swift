import Prometheus

/// The server's Prometheus metrics (`GET /metrics`), kept in a registry of its own rather than a process-wide
/// bootstrap, so tests can start several servers in one process.
package final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let appends: Counter
    let appendFailures: Counter
    let batchSize: ValueHistogram
    let lockWait: DurationHistogram
    let fsync: DurationHistogram
    let streamClients: Gauge
    let droppedClients: Counter
    let malformed: Counter
    let lockTimeouts: Counter

    package init() {
        let durations: [Duration] = [
            .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        appends = registry.makeCounter(
            descriptor: Self.name("appends", unit: "total", help: "Messages appended by this server.")
        )
        appendFailures = registry.makeCounter(
            descriptor: Self.name(
                "append_failures",
                unit: "total",
                help: "Posts that failed after validation (lock timeout, I/O error)."
            )
        )
        batchSize = registry.makeValueHistogram(
            descriptor: Self.name(
                "group_commit_batch",
                unit: "size",
                help: "Messages written per locked write and fsync."
            ),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        )
        lockWait = registry.makeDurationHistogram(
            descriptor: Self.name("lock_wait", unit: "seconds", help: "Time to open the bus and take its flock."),
            buckets: durations
        )
        fsync = registry.makeDurationHistogram(
            descriptor: Self.name("fsync", unit: "seconds", help: "Time of each fsync of the bus."),
            buckets: durations
        )
        streamClients = registry.makeGauge(
            descriptor: Self.name("sse", unit: "clients", help: "Open SSE streams.")
        )
        droppedClients = registry.makeCounter(
            descriptor: Self.name(
                "sse_dropped_clients",
                unit: "total",
                help: "SSE clients dropped because they stopped reading."
            )
        )
        malformed = registry.makeCounter(
            descriptor: Self.name(
                "malformed_records",
                unit: "total",
                help: "Malformed records the tailers skipped."
            )
        )
        lockTimeouts = registry.makeCounter(
            descriptor: Self.name(
                "lock_timeouts",
                unit: "total",
                help: "Posts answered 503 because the bus lock stayed busy."
            )
        )
    }

    /// A metric named `bus_<name>_<unit>`: the names `/metrics` has always exposed.
    private static func name(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "bus", metricName: name, unitName: unit, helpText: help)
    }

    /// The text exposition format.
    package func exposition() -> String { registry.emitToString() }
}
