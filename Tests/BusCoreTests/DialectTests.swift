import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 6: the older formats found in real buses read as messages, each rule with a fixture.
@Suite struct DialectTests {
    private func scan(_ text: String) -> ScanResult { RecordScanner.scan(Array(text.utf8)) }

    @Test func camelCaseHeaderWithExtraKeysAsMeta() throws {
        let result = scan(
            """
            ---
            messageId: MSG-20260202-223212-codex-impl-1-a1b2
            type: PROGRESS
            agent: codex-impl-1
            timestamp: 2026-02-02T22:32:12Z
            runId: run_manual_20260202-2232
            taskId: TASK-SWARM-PLANNING
            projectId: swarm
            parentId: MSG-20260202-220000-codex-impl-1-0000
            files: SUBSYSTEMS.md, TOPICS.md
            artifacts: [a.txt, b.txt]
            ---
            Consolidated the specs. 🎉

            """
        )
        let message = try #require(result.messages.first)
        #expect(result.malformed.isEmpty)
        #expect(message.msgID == "MSG-20260202-223212-codex-impl-1-a1b2")
        #expect(message.timestamp.rfc3339 == "2026-02-02T22:32:12Z")
        #expect(message.type == "PROGRESS")
        #expect(message.runID == "run_manual_20260202-2232")
        #expect(message.taskID == "TASK-SWARM-PLANNING")
        #expect(message.projectID == "swarm")
        #expect(message.parents.map(\.msgID) == ["MSG-20260202-220000-codex-impl-1-0000"])
        #expect(
            message.meta == ["agent": "codex-impl-1", "files": "SUBSYSTEMS.md, TOPICS.md", "artifacts": "a.txt, b.txt"]
        )
        #expect(message.body == "Consolidated the specs. 🎉")
    }

    /// A body closed by `---` and the next record opened by another `---` right after it.
    @Test func doubledSeparator() {
        let result = scan(
            """
            ---
            messageId: MSG-OLD-1
            type: PROGRESS
            timestamp: 2026-02-02T22:32:12Z
            ---
            first body
            ---
            ---
            messageId: MSG-OLD-2
            type: PROGRESS
            timestamp: 2026-02-03T07:45:48Z
            ---
            second body
            ---

            [2026-02-04T10:25:22Z] type=info project=swarm task=planning
            Message: a block after the closing rule

            """
        )
        #expect(result.messages.map(\.msgID) == ["MSG-OLD-1", "MSG-OLD-2", "LEGACY-LINE-000000016"])
        // The closing rule of the last record, followed by a block, ends that record (Go's reader would drop the
        // block); the rule belongs to no body.
        #expect(result.messages.map(\.body) == ["first body", "second body", "a block after the closing rule"])
        #expect(result.malformed.isEmpty)
    }

    @Test func legacyBlocks() {
        let result = scan(
            """
            [2026-01-31T20:58:00Z] type=info project=swarm task=planning
            Message: Read ideas.md and created SUBSYSTEMS.md.

            [2026-02-04T19:45:00Z] type=issue project=swarm task=planning agent=claude-sonnet-4-5
            Message: Round 7:
              1. streaming research
              2. backend flags

            [2026-02-04T21:08:11Z] type=question project=swarm task=review
            Message: the last one, ended by a rule
            ---
            msg_id: MSG-AFTER
            ts: 2026-02-05T00:00:00Z
            type: FACT
            ---
            after the blocks

            """
        )
        #expect(result.messages.map(\.type) == ["INFO", "ISSUE", "QUESTION", "FACT"])
        #expect(result.messages.map(\.projectID) == ["swarm", "swarm", "swarm", ""])
        #expect(result.messages.map(\.taskID) == ["planning", "planning", "review", ""])
        #expect(result.messages[1].meta == ["agent": "claude-sonnet-4-5"])
        #expect(result.messages[1].body == "Round 7:\n  1. streaming research\n  2. backend flags")
        #expect(
            result.messages.map(\.msgID).prefix(3) == [
                "LEGACY-LINE-000000001", "LEGACY-LINE-000000004", "LEGACY-LINE-000000009",
            ]
        )
        #expect(result.messages[0].timestamp.rfc3339 == "2026-01-31T20:58:00Z")
    }

    /// A header with a type but no id is shown, named after its line like legacy lines.
    @Test func headerWithoutID() {
        let result = scan(
            "[2026-02-05 12:51:53] FACT: first\n---\ntype: DECISION\nts: 2026-02-05T13:00:00Z\n---\nno id\n"
        )
        #expect(result.messages.map(\.msgID) == ["LEGACY-LINE-000000001", "NOID-000000002"])
        #expect(result.messages.last?.type == "DECISION")
    }

    /// `parents` as one string or one mapping: the message is kept with that parent (Go keeps it, drops the
    /// parent).
    @Test(arguments: ["parents: MSG-X", "parents: {msg_id: MSG-X, kind: reply_to}", "parents:\n  msg_id: MSG-X"])
    func parentsAsOneValue(line: String) throws {
        let result = scan("---\nmsg_id: MSG-1\nts: 2026-02-05T13:00:00Z\ntype: FACT\n\(line)\n---\nbody\n")
        let message = try #require(result.messages.first)
        #expect(message.parents.map(\.msgID) == ["MSG-X"])
    }

    /// Legacy lines as Go's reader takes them.
    @Test(
        arguments: [
            ("  [2026-02-05 12:51:53] FACT: x", "FACT", "x", "2026-02-05T12:51:53Z"),
            ("[2026-02-05 12:51:53]FACT: x", "FACT", "x", "2026-02-05T12:51:53Z"),
            ("[2026-02-05 12:51:53]\tFACT: x", "FACT", "x", "2026-02-05T12:51:53Z"),
            ("[ 2026-02-05 12:51:53 ] FACT: x", "FACT", "x", "2026-02-05T12:51:53Z"),
            ("[2026-02-05 1:02:03] FACT: x", "FACT", "x", "2026-02-05T01:02:03Z"),
            ("[2026-02-05 12:51:53,123] FACT: x", "FACT", "x", "2026-02-05T12:51:53.123Z"),
            ("[2026-02-05 12:51:53] FACT : x", "FACT", "x", "2026-02-05T12:51:53Z"),
            ("[2026-02-05 12:51:53] no type here", "INFO", "no type here", "2026-02-05T12:51:53Z"),
            (
                "[2026-02-05 12:51:53] a sentence: with a colon", "INFO", "a sentence: with a colon",
                "2026-02-05T12:51:53Z"
            ),
        ]
    )
    func legacyLineVariants(line: String, type: String, body: String, time: String) throws {
        let message = try #require(scan(line + "\n").messages.first)
        #expect(message.type == type)
        #expect(message.body == body)
        #expect(message.timestamp.rfc3339 == time)
    }

    /// Lines Go's reader does not take are not messages either.
    @Test(arguments: [
        "[2026-02-05 12:51:53]", "[2026-02-05 12:51:53]   ", "[not a time] FACT: x", "[2026-02-05 12:51] FACT: x",
    ])
    func notLegacyLines(line: String) {
        #expect(scan(line + "\n").messages.isEmpty)
    }

    /// A YAML merge key brings in the fields of the mapping it names, as Go's yaml.v3 decoder does.
    @Test func mergeKey() throws {
        let result = scan(
            """
            ---
            defaults: &defaults
              type: DECISION
              project_id: demo
            msg_id: MSG-MERGED
            ts: 2026-02-06T00:00:00Z
            <<: *defaults
            task_id: task-20261126-090000-api
            ---
            merged

            """
        )
        let message = try #require(result.messages.first)
        #expect(message.type == "DECISION")
        #expect(message.projectID == "demo")
        #expect(message.taskID == "task-20261126-090000-api")
    }
}
