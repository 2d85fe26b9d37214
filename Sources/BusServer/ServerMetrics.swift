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
        appends = registry.makeCounter(name: "bus_appends_total", help: "Messages appended by this server.")
        appendFailures = registry.makeCounter(
            name: "bus_append_failures_total",
            help: "Posts that failed after validation (lock timeout, I/O error)."
        )
        batchSize = registry.makeValueHistogram(
            name: "bus_group_commit_batch_size",
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
            help: "Messages written per locked write and fsync."
        )
        lockWait = registry.makeDurationHistogram(
            name: "bus_lock_wait_seconds",
            buckets: durations,
            help: "Time to open the bus and take its flock."
        )
        fsync = registry.makeDurationHistogram(
            name: "bus_fsync_seconds",
            buckets: durations,
            help: "Time of each fsync of the bus."
        )
        streamClients = registry.makeGauge(name: "bus_sse_clients", help: "Open SSE streams.")
        droppedClients = registry.makeCounter(
            name: "bus_sse_dropped_clients_total",
            help: "SSE clients dropped because they stopped reading."
        )
        malformed = registry.makeCounter(
            name: "bus_malformed_records_total",
            help: "Malformed records the tailers skipped."
        )
        lockTimeouts = registry.makeCounter(
            name: "bus_lock_timeouts_total",
            help: "Posts answered 503 because the bus lock stayed busy."
        )
    }

    /// The text exposition format.
    package func exposition() -> String { registry.emitToString() }
}
