import Foundation
import Testing

@testable import BusCore

/// Test 13: which bus a command uses and which context a post carries.
@Suite struct ResolutionTests {
    private func only(_ bus: String) throws -> BusMessage {
        let messages = try BusReader.read(bus).messages
        try #require(messages.count == 1, "\(bus) holds \(messages.count) messages")
        return messages[0]
    }

    private func header(_ bus: String) -> String { String(decoding: readBytes(bus), as: UTF8.self) }

    @Test func environmentBus() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("env-bus.md")
            let result = try sandbox.bus(
                ["post", "--body", "via env", "--project", "p"],
                environment: ["JRUN_MESSAGE_BUS": bus]
            )
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try only(bus).body == "via env")
            let read = try sandbox.bus(["read"], environment: ["JRUN_MESSAGE_BUS": bus])
            #expect(read.stdout.hasSuffix("(INFO) via env\n"))
        }
    }

    @Test func projectAndTaskUnderRoot() throws {
        try withSandbox { sandbox in
            let root = sandbox.path + "/runs"
            let result = try sandbox.bus(["post", "--root", root, "--project", "proj", "--task", "t1", "--body", "x"])
            #expect(result.status == 0, "\(result.stderr)")
            let taskBus = root + "/proj/t1/TASK-MESSAGE-BUS.md"
            let message = try only(taskBus)
            #expect(message.projectID == "proj")
            #expect(message.taskID == "t1")
            #expect(header(taskBus).contains("\nproject_id: proj\ntask_id: t1\nrun_id: \"\"\n"))
            #expect(listing(root) == ["proj"])
            #expect(listing(root + "/proj") == ["t1"])
            #expect(listing(sandbox.home).isEmpty)

            // JRUN_RUNS_DIR instead of --root; --project alone selects the project bus.
            let second = try sandbox.bus(
                ["post", "--project", "proj", "--body", "y", "--run", "r-1"],
                environment: ["JRUN_RUNS_DIR": root]
            )
            #expect(second.status == 0, "\(second.stderr)")
            let projectBus = root + "/proj/PROJECT-MESSAGE-BUS.md"
            let projectMessage = try only(projectBus)
            #expect(projectMessage.projectID == "proj")
            #expect(projectMessage.taskID == "")
            #expect(projectMessage.runID == "r-1")
            let third = try sandbox.bus(
                ["post", "--project", "proj", "--task", "t2", "--body", "z"],
                environment: ["JRUN_RUNS_DIR": root]
            )
            #expect(third.status == 0)
            #expect(try only(root + "/proj/t2/TASK-MESSAGE-BUS.md").taskID == "t2")

            // Reading selects the same files.
            let read = try sandbox.bus(["read", "--root", root, "--project", "proj", "--task", "t1"])
            #expect(read.stdout.hasSuffix("(INFO) x\n"))
            // Without --root or JRUN_RUNS_DIR the root is ~/.run-agent/runs.
            let home = try sandbox.bus(["post", "--project", "hp", "--body", "h"])
            #expect(home.status == 0)
            #expect(try only(sandbox.home + "/.run-agent/runs/hp/PROJECT-MESSAGE-BUS.md").projectID == "hp")
        }
    }

    @Test func discoveryOrder() throws {
        try withSandbox { sandbox in
            let top = sandbox.path + "/a"
            let middle = top + "/b"
            let bottom = middle + "/c"
            try FileManager.default.createDirectory(atPath: bottom, withIntermediateDirectories: true)
            let names = ["TASK-MESSAGE-BUS.md", "PROJECT-MESSAGE-BUS.md", "MESSAGE-BUS.md"]
            for name in names { try writeBytes(middle + "/" + name, []) }
            try writeBytes(top + "/TASK-MESSAGE-BUS.md", [])
            func discovered(from folder: String) throws -> String {
                let result = try sandbox.bus(["discover", "--from", folder])
                #expect(result.status == 0, "\(result.stderr)")
                return result.stdout.trimmingCharacters(in: .newlines)
            }
            // Nearest folder wins; in one folder TASK-, then PROJECT-, then MESSAGE-BUS.md.
            #expect(try discovered(from: bottom) == middle + "/TASK-MESSAGE-BUS.md")
            try FileManager.default.removeItem(atPath: middle + "/TASK-MESSAGE-BUS.md")
            #expect(try discovered(from: bottom) == middle + "/PROJECT-MESSAGE-BUS.md")
            try FileManager.default.removeItem(atPath: middle + "/PROJECT-MESSAGE-BUS.md")
            #expect(try discovered(from: bottom) == middle + "/MESSAGE-BUS.md")
            // A symlink or folder with a bus name is not a bus.
            try FileManager.default.removeItem(atPath: middle + "/MESSAGE-BUS.md")
            try FileManager.default.createSymbolicLink(
                atPath: middle + "/MESSAGE-BUS.md",
                withDestinationPath: top + "/TASK-MESSAGE-BUS.md"
            )
            try FileManager.default.createDirectory(
                atPath: middle + "/PROJECT-MESSAGE-BUS.md",
                withIntermediateDirectories: false
            )
            #expect(try discovered(from: bottom) == top + "/TASK-MESSAGE-BUS.md")
            // Relative --from, and the working folder by default.
            let relative = try sandbox.bus(["discover", "--from", "a/b/c"])
            #expect(relative.stdout == top + "/TASK-MESSAGE-BUS.md\n")
            let here = try sandbox.bus(["discover"], cwd: bottom)
            #expect(here.stdout == top + "/TASK-MESSAGE-BUS.md\n")
            // post and read use discovery from the working folder; the TASK- bus names its context.
            let post = try sandbox.bus(["post", "--body", "found", "--no-fsync"], cwd: bottom)
            #expect(post.status == 0, "\(post.stderr)")
            let message = try only(top + "/TASK-MESSAGE-BUS.md")
            #expect(message.taskID == "a")
            #expect(message.projectID == "work")
            #expect(try sandbox.bus(["read"], cwd: bottom).stdout.hasSuffix("(INFO) found\n"))
            let nothing = try sandbox.bus(["discover", "--from", sandbox.home])
            #expect(nothing.status == 66)
        }
    }

    @Test func contextFromTheBusPath() throws {
        try withSandbox { sandbox in
            let taskFolder = sandbox.path + "/proj1/task1"
            try FileManager.default.createDirectory(atPath: taskFolder, withIntermediateDirectories: true)
            let taskBus = taskFolder + "/TASK-MESSAGE-BUS.md"
            let environment = ["JRUN_PROJECT_ID": "env-project", "JRUN_TASK_ID": "env-task", "JRUN_ID": "env-run"]
            var result = try sandbox.bus(["post", "--bus", taskBus, "--body", "x"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            var message = try only(taskBus)
            #expect(message.projectID == "proj1")
            #expect(message.taskID == "task1")
            #expect(message.runID == "env-run")
            #expect(header(taskBus).contains("\nproject_id: proj1\ntask_id: task1\nrun_id: env-run\n"))

            let projectBus = sandbox.path + "/proj1/PROJECT-MESSAGE-BUS.md"
            result = try sandbox.bus(
                ["post", "--body", "y"],
                environment: environment.merging(["JRUN_MESSAGE_BUS": projectBus]) { $1 }
            )
            #expect(result.status == 0, "\(result.stderr)")
            message = try only(projectBus)
            #expect(message.projectID == "proj1")
            #expect(message.taskID == "env-task")

            let plainBus = sandbox.path + "/proj1/MESSAGE-BUS.md"
            result = try sandbox.bus(["post", "--bus", plainBus, "--body", "z"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try only(plainBus).projectID == "proj1")

            // Any other file name says nothing: the environment fills in, and flags win over everything.
            let other = sandbox.file("notes.md")
            result = try sandbox.bus(["post", "--bus", other, "--body", "w"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            message = try only(other)
            #expect((message.projectID, message.taskID, message.runID) == ("env-project", "env-task", "env-run"))
            let flagged = sandbox.file("flagged.md")
            result = try sandbox.bus(
                ["post", "--bus", flagged, "--project", "fp", "--task", "ft", "--run", "fr", "--body", "v"],
                environment: environment
            )
            message = try only(flagged)
            #expect((message.projectID, message.taskID, message.runID) == ("fp", "ft", "fr"))

            // No project anywhere: refused.
            let orphan = sandbox.file("orphan.md")
            result = try sandbox.bus(["post", "--bus", orphan, "--body", "u"])
            #expect(result.status == 65)
            #expect(!FileManager.default.fileExists(atPath: orphan))
        }
    }

    @Test func taskWithoutProjectFilters() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            for (task, body) in [("T", "one"), ("U", "two"), ("T", "three"), ("", "four")] {
                var arguments = ["post", "--bus", bus, "--project", "p", "--body", body, "--no-fsync"]
                if !task.isEmpty { arguments += ["--task", task] }
                #expect(try sandbox.bus(arguments).status == 0)
            }
            let read = try sandbox.bus(["read", "--task", "T", "--json"], environment: ["JRUN_MESSAGE_BUS": bus])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(try read.jsonObjects().compactMap { $0["body"] as? String } == ["one", "three"])
            let all = try sandbox.bus(["read", "--json"], environment: ["JRUN_MESSAGE_BUS": bus])
            #expect(try all.jsonObjects().count == 4)
            // With an explicit --bus, --task is a filter too.
            let viaFlag = try sandbox.bus(["read", "--bus", bus, "--task", "U", "--json"])
            #expect(try viaFlag.jsonObjects().compactMap { $0["body"] as? String } == ["two"])
        }
    }

    /// As Go's writer does, an ISSUE without an issue id names itself; an explicit one is kept.
    @Test func issueOpensItself() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let opened = try sandbox.post(bus, "Flaky test in parser suite", type: "ISSUE")
            let result = try sandbox.bus([
                "post", "--bus", bus, "--project", "p", "--type", "ISSUE", "--issue", "X-1", "--body", "b",
            ])
            #expect(result.status == 0)
            let objects = try sandbox.bus(["read", "--bus", bus, "--json"]).jsonObjects()
            #expect(objects.compactMap { $0["issue_id"] as? String } == [opened, "X-1"])
        }
    }
}
