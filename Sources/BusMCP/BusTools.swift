import BusCore
import Foundation
internal import MCP

/// The tools' behaviour: each call checks its arguments, goes through the engine (the locked writer, the
/// feed's tailer), and answers with JSON, or with `isError` and the CLI's one-line message.
struct BusTools: Sendable {
    let bus: ServedBus

    /// Answers one `tools/call`; never throws: every failure is a tool result with `isError: true`.
    func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        do throws(BusMCPError) {
            let json = try await run(name, arguments: arguments)
            return CallTool.Result(
                content: [.text(text: json, annotations: nil, _meta: nil)],
                structuredContent: Self.structured(json),
                isError: false
            )
        } catch {
            return CallTool.Result(
                content: [.text(text: error.description, annotations: nil, _meta: nil)],
                isError: true
            )
        }
    }

    private func run(_ name: String, arguments: [String: Value]?) async throws(BusMCPError) -> String {
        guard let tool = ToolCatalog.tools.first(where: { $0.name == name }) else { throw .unknownTool(name) }
        let arguments = try ToolArguments(arguments, allowed: ToolCatalog.argumentNames(of: tool))
        switch name {
        case ToolCatalog.post: return try await post(arguments)
        case ToolCatalog.read: return try read(arguments)
        case ToolCatalog.wait: return try await wait(arguments)
        case ToolCatalog.thread: return try thread(arguments)
        default: return try await answer(arguments)
        }
    }

    private func post(_ arguments: ToolArguments) async throws(BusMCPError) -> String {
        let context = bus.configuration.context
        let draft = MessageDraft(
            type: try arguments.requiredString("type"),
            projectID: context.projectID,
            taskID: try arguments.string("task_id") ?? context.taskID,
            runID: context.runID,
            parents: (try arguments.strings("parents") ?? []).map { BusParent(msgID: $0) },
            meta: try arguments.stringMap("meta") ?? [:],
            body: try arguments.requiredString("body")
        )
        return ToolOutput.posted(try await bus.post(draft))
    }

    private func read(_ arguments: ToolArguments) throws(BusMCPError) -> String {
        let since = try arguments.string("since").flatMap { $0.isEmpty ? nil : $0 }
        let limit = try arguments.integer("limit", in: 1...ToolCatalog.maxReadLimit) ?? ToolCatalog.defaultReadLimit
        let filter = ToolFilter(
            types: try arguments.strings("types"),
            task: try arguments.string("task_id"),
            text: try arguments.string("text")
        )
        let path = bus.path
        let page = try bus.feed.read { log throws(BusMCPError) in
            try CursorPage(log, since: since, filter: filter, limit: limit, path: path)
        }
        return ToolOutput.page(page)
    }

    /// Waits on the feed's listener: the tailing thread signals after each append it reads, and a timer
    /// ends the wait; nothing re-reads the file on a schedule.
    private func wait(_ arguments: ToolArguments) async throws(BusMCPError) -> String {
        let since = try arguments.string("since").flatMap { $0.isEmpty ? nil : $0 }
        let filter = ToolFilter(types: try arguments.strings("types"), task: try arguments.string("task_id"))
        let timeout =
            try arguments.seconds("timeout_s", in: 0...ToolCatalog.maxWaitSeconds) ?? ToolCatalog.defaultWaitSeconds
        let path = bus.path
        var (start, clears) = try bus.feed.read { log throws(BusMCPError) in
            guard let since else { return (log.messages.count, log.clears) }
            guard let index = log.index(after: since, liveOnly: false) else {
                throw .bus(.sinceNotFound(id: since, path: path))
            }
            return (index, log.clears)
        }
        // Listen only after taking the starting point, so that a listener on the feed means "appends from now on
        // are after the start" (tests wait for it before writing). An append in between is not lost: the loop
        // reads from `start` before it first waits.
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = bus.feed.addListener { continuation.yield() }
        defer { bus.feed.removeListener(listener) }
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            continuation.finish()
        }
        defer { timer.cancel() }
        var iterator = signals.makeAsyncIterator()
        while true {
            let page = try bus.feed.read { log in
                // The file was truncated or replaced: its messages were dropped, count from the new file's start
                // (however many it already holds).
                if clears != log.clears || start > log.messages.count {
                    start = log.liveStart
                    clears = log.clears
                }
                return Self.arrived(log, from: start, filter: filter)
            }
            if !page.messages.isEmpty { return ToolOutput.page(page, timedOut: false) }
            guard await iterator.next() != nil else {
                return ToolOutput.page(page, timedOut: true)
            }
        }
    }

    /// The matching messages from index `start` on (at most a read's limit), and the cursor after them.
    private static func arrived(_ log: MessageLog, from start: Int, filter: ToolFilter) -> CursorPage {
        var found: [BusMessage] = []
        for message in log.messages[start...] where filter.matches(message) {
            if found.count == ToolCatalog.maxReadLimit { return CursorPage(messages: found, cursor: found.last?.msgID) }
            found.append(message)
        }
        return CursorPage(messages: found, cursor: log.messages.last?.msgID)
    }

    private func thread(_ arguments: ToolArguments) throws(BusMCPError) -> String {
        let id = try arguments.requiredString("msg_id")
        let path = bus.path
        let thread = try bus.feed.read { log throws(BusMCPError) in try MessageThread(of: id, in: log, path: path) }
        return ToolOutput.thread(thread)
    }

    private func answer(_ arguments: ToolArguments) async throws(BusMCPError) -> String {
        let id = try arguments.requiredString("msg_id")
        let body = try arguments.requiredString("body")
        let type = try arguments.string("type")
        let path = bus.path
        let asked = try bus.feed.read { log throws(BusMCPError) in
            guard let message = log.first(withID: id) else { throw .bus(.sinceNotFound(id: id, path: path)) }
            return message
        }
        let context = bus.configuration.context
        let draft = MessageDraft(
            type: type ?? (asked.type == "QUESTION" ? "ANSWER" : "FACT"),
            projectID: context.projectID,
            taskID: context.taskID,
            runID: context.runID,
            parents: [BusParent(msgID: id)],
            body: body
        )
        return ToolOutput.posted(try await bus.post(draft))
    }

    /// The same JSON as a structured value, for clients that read `structuredContent`.
    private static func structured(_ json: String) -> Value? {
        try? JSONDecoder().decode(Value.self, from: Data(json.utf8))
    }
}
