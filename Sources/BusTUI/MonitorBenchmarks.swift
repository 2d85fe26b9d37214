package import BusCore

/// The monitor's model and views driven without a terminal, for the package benchmarks (issue 11's speed
/// targets): what opening a bus costs, and what one key typed into the filter costs up to the finished frame.
package struct MonitorBenchmark {
    private var model: MonitorModel

    /// A model of `width` x `height` holding `messages` (the reply counts built as at open).
    package init(_ messages: [BusMessage], width: Int = 120, height: Int = 35) {
        model = MonitorModel(
            sourceLabel: "bench",
            postContext: PostContext(projectID: "bench"),
            width: width,
            height: height
        )
        model.ingest(messages, source: 0)
    }

    /// Messages shown.
    package var visibleCount: Int { model.visible.count }

    /// Reply counts of `messages` alone (what the index adds to opening a bus).
    /// - Returns: how many messages have replies, so the work cannot be optimized away.
    package static func replyIndex(_ messages: [BusMessage]) -> Int {
        var index = ReplyIndex()
        for message in messages { index.change(message.parents, by: 1) }
        return index.counts.count
    }

    /// Draws a frame.
    /// - Returns: the rows drawn.
    package func render() -> Int {
        MonitorView.render(model).grid.height
    }

    /// One key in the open filter prompt, the live filter and a frame: a character, or Backspace for nil.
    /// - Returns: the rows drawn.
    package mutating func filterKey(_ character: Character?) -> Int {
        if model.prompt == nil { _ = model.handle(.character("/")) }
        _ = model.handle(character.map { .character($0) } ?? .backspace)
        model.applyLiveFilter()
        return MonitorView.render(model).grid.height
    }

    /// `count` messages as a swarm writes them: seven tasks, a QUESTION every tenth message answered by the next
    /// message (its parent), bodies of about 400 bytes.
    package static func swarmMessages(count: Int) -> [BusMessage] {
        let body = String(repeating: "agent chatter about builds, tests and reviews. ", count: 8)
        var messages: [BusMessage] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            let id = "MSG-20261126-090000-000000001-PID00042-\(index)"
            let isQuestion = index % 10 == 0
            let answers =
                index % 10 == 1 ? [BusParent(msgID: "MSG-20261126-090000-000000001-PID00042-\(index - 1)")] : []
            messages.append(
                BusMessage(
                    msgID: id,
                    timestamp: BusTimestamp(seconds: 1_795_683_600 + Int64(index), nanoseconds: 0),
                    type: isQuestion ? "QUESTION" : (answers.isEmpty ? "PROGRESS" : "ANSWER"),
                    projectID: "bench",
                    taskID: "task-20261126-09000\(index % 7)-api",
                    parents: answers,
                    meta: ["agent": ["claude", "codex", "gemini"][index % 3]],
                    body: "\(index) " + body
                )
            )
        }
        return messages
    }
}
