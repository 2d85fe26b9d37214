import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Test 2 through the binary: posted bodies read back as posted (modulo one trailing line break).
@Suite struct PostReadTests {
    @Test func binaryIsBuiltNextToTheTests() {
        #expect(FileManager.default.isExecutableFile(atPath: Binary.path), "no run-agent at \(Binary.path)")
    }

    static let bodies: [String] = [
        "plain", "before\n---\nafter", "---\r\nCR dashes\r\n---\r", "\\---\n\\\\---", "a\r\nb\r\n", "final CR\r", "",
        "ends with newline\n", "   leading\n\ttab\ntrailing   ", "ünïcödé ✓ 🚀",
    ]

    @Test func bodiesRoundTripThroughTheBinary() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            var ids: [String] = []
            for (index, body) in Self.bodies.enumerated() {
                // Alternate between --body and stdin.
                let arguments = ["post", "--bus", bus, "--project", "p", "--type", "FACT", "--no-fsync"]
                let result =
                    index.isMultiple(of: 2)
                    ? try sandbox.bus(arguments + bodyArguments(body))
                    : try sandbox.bus(arguments, stdin: Array(body.utf8))
                #expect(result.status == 0, "\(result.stderr)")
                ids.append(try #require(result.postedID))
            }
            let large = String(repeating: "0123456789abcdef ---\n", count: 49_000)
            let largeResult = try sandbox.bus(["post", "--bus", bus, "--project", "p"], stdin: Array(large.utf8))
            #expect(largeResult.status == 0, "\(largeResult.stderr)")
            ids.append(try #require(largeResult.postedID))

            let read = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"])
            #expect(read.status == 0)
            #expect(read.stderr.isEmpty)
            let objects = try read.jsonObjects()
            #expect(objects.compactMap { $0["msg_id"] as? String } == ids)
            let bodies = objects.map { $0["body"] as? String ?? "" }
            #expect(bodies == (Self.bodies + [large]).map(withoutOneLineBreak))
            let snapshot = try BusReader.read(bus)
            #expect(snapshot.messages.map(\.body) == bodies)
            #expect(GoRulesReader.parse(readBytes(bus)).map(\.msgID) == ids)
        }
    }

    /// The vectors that the CLI's flags can express, posted through the binary.
    @Test func postedVectorsThroughTheBinary() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            var expected: [[String: Any]] = []
            for object in try Vectors.jsonLines("posted.jsonl") {
                let parents = object["parents"] as? [[String: Any]] ?? []
                if object["links"] != nil || parents.contains(where: { $0.count > 1 }) { continue }
                var arguments = ["post", "--bus", bus, "--no-fsync", "--type", object["type"] as? String ?? ""]
                arguments += ["--project", object["project_id"] as? String ?? ""]
                if let task = object["task_id"] as? String { arguments += ["--task", task] }
                if let run = object["run_id"] as? String { arguments += ["--run", run] }
                for parent in parents { arguments += ["--parent", parent["msg_id"] as? String ?? ""] }
                for (key, value) in object["meta"] as? [String: String] ?? [:] {
                    arguments += ["--meta", "\(key)=\(value)"]
                }
                let result = try sandbox.bus(arguments, stdin: Array((object["body"] as? String ?? "").utf8))
                #expect(result.status == 0, "\(result.stderr)")
                expected.append(object)
            }
            #expect(expected.count >= 17)
            let objects = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"]).jsonObjects()
            try #require(objects.count == expected.count)
            for (read, posted) in zip(objects, expected) {
                for key in ["type", "project_id", "task_id", "run_id"] {
                    #expect(read[key] as? String ?? "" == posted[key] as? String ?? "", "\(key)")
                }
                #expect(read["meta"] as? [String: String] ?? [:] == posted["meta"] as? [String: String] ?? [:])
                let parentIDs = (read["parents"] as? [[String: Any]] ?? []).compactMap { $0["msg_id"] as? String }
                let postedParents = (posted["parents"] as? [[String: Any]] ?? []).compactMap { $0["msg_id"] as? String }
                #expect(parentIDs == postedParents)
                #expect(read["body"] as? String == withoutOneLineBreak(posted["body"] as? String ?? ""))
            }
        }
    }

    /// Test 11 through the binary: the id carries the full pid and the same clock reading as `ts`.
    @Test func idsFromTheBinary() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let id = try sandbox.post(bus, "x")
            #expect(try #/^MSG-\d{8}-\d{6}-\d{9}-PID\d{5,}-\d{4}$/#.wholeMatch(in: id) != nil)
            let message = try #require(try BusReader.read(bus).messages.first)
            #expect(message.msgID == id)
            let time = message.timestamp
            let expectedPrefix =
                "MSG-" + time.civil.compact + "-" + BusTimestamp.padded(Int(time.nanoseconds), width: 9) + "-PID"
            #expect(id.hasPrefix(expectedPrefix))
            #expect(id.hasSuffix("-0001"))
        }
    }

    @Test func textFormat() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try writeBytes(bus, Array("[2026-02-05 12:51:53] FACT: from a script\n".utf8))
            try sandbox.post(bus, "multi\nline", type: "DONE")
            let read = try sandbox.bus(["read", "--bus", bus])
            let lines = read.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first == "[2026-02-05 12:51:53] (FACT) from a script")
            #expect(lines.count == 4)
            #expect(try #/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] \(DONE\) multi$/#.wholeMatch(in: lines[1]) != nil)
            #expect(lines[2] == "line")
            for index in 0..<25 { try sandbox.post(bus, "n\(index)") }
            let tail = try sandbox.bus(["read", "--bus", bus, "--tail", "3", "--type", "FACT"])
            #expect(
                tail.stdout.split(separator: "\n").map { $0.split(separator: " ").last ?? "" } == ["n22", "n23", "n24"]
            )
        }
    }
}
