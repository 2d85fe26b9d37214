import BusCore
import BusTestSupport
import Foundation
import Testing

/// `monitor --demo` on the real binary in tmux, at the default 80x24.
@Suite struct MonitorDemoTests {
    /// The demo's buses under `folder` (its TMPDIR): the project bus and every task bus.
    static func demoBuses(in folder: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        guard let demo = entries.first(where: { $0.hasPrefix("run-agent-demo-") }) else { return [] }
        let project = folder + "/" + demo + "/runs/demo"
        let tasks = ((try? FileManager.default.contentsOfDirectory(atPath: project)) ?? []).filter {
            $0.hasPrefix("task-")
        }
        return [project + "/PROJECT-MESSAGE-BUS.md"]
            + tasks.sorted().map { project + "/" + $0 + "/TASK-MESSAGE-BUS.md" }
    }

    /// The demo at 80x24: no notice on the first screen, task ids without their shared prefix, the agents, and a
    /// QUESTION answered by an ANSWER whose `parents` names it; quitting removes the demo's folder.
    @Test func demoAt80x24() throws {
        try withSandbox { sandbox in
            let temporary = sandbox.io + "/tmp"
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            let monitor = try MonitorRun(sandbox, ["--demo"], environment: ["TMPDIR": temporary], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("Demo swarm starting")
                // The agents create their task buses after the first frame: none of that is news.
                try session.expectSteady("no notice", for: .seconds(3)) { screen in
                    let bar = statusBar(screen)
                    return bar.hasPrefix("demo") && !bar.contains("created") && !bar.contains("rotated")
                }
                var screen = try session.waitForAll(
                    ["…090000-api", "…090500-tests", "…091000-review", "claude", "codex", "gemini", "planner"],
                    timeout: .seconds(40)
                )
                #expect(!screen.contains("task-2026112"), "the shared prefix is dropped:\n\(screen)")
                #expect(screen.split(separator: "\n")[1].contains("AGENT"), "\(screen)")
                screen = try session.waitForAll(["QUESTION", "ANSWER"], timeout: .seconds(40))

                // Each ANSWER replies to the QUESTION its agent asked last, on the same bus, also when the agent
                // posted something else in between (the builder does): wait for the planner's, the builder's and
                // the tester's first ANSWER.
                var answers: [(BusMessage, [BusMessage])] = []
                let answered = try waitUntil(deadline: .seconds(45)) {
                    answers = []
                    var answeringBuses = 0
                    for bus in Self.demoBuses(in: temporary) where FileManager.default.fileExists(atPath: bus) {
                        let messages = try BusReader.read(bus).messages
                        for (index, answer) in messages.enumerated() where answer.type == "ANSWER" {
                            answers.append((answer, Array(messages[..<index])))
                        }
                        if messages.contains(where: { $0.type == "ANSWER" }) { answeringBuses += 1 }
                    }
                    if answeringBuses >= 3 { return true }
                    Thread.sleep(forTimeInterval: 0.2)
                    return false
                }
                #expect(answered, "not three buses with an ANSWER: \(answers.map(\.0.body))")
                for (answer, before) in answers {
                    let parent = try #require(answer.parents.first, "ANSWER \(answer.msgID) has no parent")
                    let question = before.first { $0.msgID == parent.msgID }
                    #expect(question?.type == "QUESTION", "ANSWER '\(answer.body)' replies to \(parent.msgID)")
                    #expect(question?.msgID == before.last { $0.type == "QUESTION" }?.msgID, "the latest QUESTION")
                    #expect(parent.kind == "reply_to")
                }
                try session.send("q")
                #expect(try monitor.waitForExit().exit == "exit=0")
                #expect(Self.demoBuses(in: temporary).isEmpty, "the demo's folder is removed on exit")
            }
        }
    }
}
