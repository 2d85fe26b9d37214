import ArgumentParser
import BusCore
import BusRemote
import Synchronization

/// `--server URL` and `--token`: talk to `run-agent bus serve` instead of a file.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Use the bus server at this URL instead of a file (default: JRUN_BUS_SERVER).")
    var server: String?

    @Option(name: .long, help: "Token for the server (default: JRUN_API_TOKEN).")
    var token: String?

    /// The server to use, or nil for the file.
    func remote(_ environment: [String: String]) -> RemoteBus? {
        Self.remote(server: server, token: token, environment: environment)
    }

    /// The server `--server`/`JRUN_BUS_SERVER` names, with `--token`/`JRUN_API_TOKEN`; nil for the file.
    static func remote(server: String?, token: String?, environment: [String: String]) -> RemoteBus? {
        let url = server ?? environment["JRUN_BUS_SERVER"]
        guard let url, !url.isEmpty else { return nil }
        let token = token ?? environment["JRUN_API_TOKEN"]
        var remote = RemoteBus(url: url, token: token.flatMap { $0.isEmpty ? nil : $0 })
        if let text = environment["JRUN_BUS_SERVER_TIMEOUT"],
            let seconds = try? SettingParser.seconds(text, name: "JRUN_BUS_SERVER_TIMEOUT")
        {
            remote.timeout = seconds
        }
        return remote
    }
}

extension BlockingTask {
    /// Runs async work that fails only with `RemoteError` and returns its value.
    static func value<T: Sendable>(
        _ work: @escaping @Sendable () async throws(RemoteError) -> T
    ) throws(RemoteError) -> T {
        let result = Mutex<Result<T, RemoteError>?>(nil)
        let failure = run {
            do throws(RemoteError) {
                let value = try await work()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
        }
        if let failure { throw .badResponse(url: "", reason: "\(failure)") }
        guard let outcome = result.withLock({ $0 }) else { throw .badResponse(url: "", reason: "no result") }
        return try outcome.get()
    }
}

/// Runs a remote command body, printing a `RemoteError` as one line on stderr and exiting with its code.
func reportingRemoteErrors(_ body: () throws(RemoteError) -> Void) throws {
    do {
        try body()
    } catch {
        Terminal.error(error.description)
        throw ExitCode(error.exitCode)
    }
}

/// `read --server`, `read --follow --server` and `poll --server`: the same output as on a file.
enum RemoteReading {
    /// Prints what a read selects; with `follow`, then every new message until killed.
    static func read(
        _ remote: RemoteBus,
        query: RemoteQuery,
        follow: Bool,
        printer: MessagePrinter
    ) throws(RemoteError) {
        let first = try BlockingTask.value { () throws(RemoteError) in try await remote.list(query) }
        printer.print(first)
        guard follow else { return }
        var resumed = query
        // Resume after what was printed; with nothing printed every message the stream backlog holds is new.
        resumed.since = first.last?.msgID ?? query.since
        resumed.limit = nil
        let streamQuery = resumed
        try BlockingTask.value { () throws(RemoteError) in
            try await remote.follow(streamQuery) { event in
                show(event, printer: printer)
                return true
            }
        }
    }

    /// Waits for messages after `since` (or new ones), prints them; false when `timeout` passed first.
    static func poll(
        _ remote: RemoteBus,
        query: RemoteQuery,
        timeout: Duration?,
        printer: MessagePrinter
    ) throws(RemoteError) -> Bool {
        if query.since != nil {
            let found = try BlockingTask.value { () throws(RemoteError) in try await remote.list(query) }
            if !found.isEmpty {
                printer.print(found)
                return true
            }
        }
        var waiting = query
        waiting.limit = query.since == nil ? 0 : nil
        let streamQuery = waiting
        let printed = try BlockingTask.value { () throws(RemoteError) -> Bool in
            try await withDeadline(timeout) { () throws(RemoteError) in
                var got = false
                try await remote.follow(streamQuery) { event in
                    guard case .message(let message) = event else { return true }
                    printer.print([message])
                    got = true
                    return false
                }
                return got
            } ?? false
        }
        return printed
    }

    private static func show(_ event: RemoteEvent, printer: MessagePrinter) {
        switch event {
        case .message(let message): printer.print([message])
        case .update(let message): printer.print([message], revised: true)
        case .reset(let reason): Terminal.warning("stream reset by the server: \(reason)")
        case .reconnecting(let reason, let delay): Terminal.warning("\(reason); reconnecting in \(delay)")
        case .connected: break
        }
    }

    /// Runs `work`, giving up (nil) after `timeout`.
    private static func withDeadline<T: Sendable>(
        _ timeout: Duration?,
        _ work: @escaping @Sendable () async throws(RemoteError) -> T
    ) async throws(RemoteError) -> T? {
        guard let timeout else { return try await work() }
        let outcome = await withTaskGroup(of: Result<T, RemoteError>?.self) { group in
            group.addTask {
                do throws(RemoteError) { return .success(try await work()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return try outcome?.get()
    }
}
