#if os(Linux)
import BusCore
import Glibc
import Testing

@testable import BusTUI

@Suite("Following real bus files")
struct SourcesTests {
    /// A fresh folder under `$TMPDIR` (else /tmp), removed by the caller.
    static func temporaryFolder() -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/bustui-test-XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return "/tmp" }
            return String(cString: made)
        }
    }

    static func post(_ path: String, _ body: String, task: String = "") throws {
        _ = try BusWriter(path: path, options: WriterOptions(fsync: false))
            .post(MessageDraft(type: "FACT", projectID: "demo", taskID: task, body: body))
    }

    @Test("project mode merges the project bus with every task bus and picks up task folders created later")
    func projectDiscovery() throws {
        let root = Self.temporaryFolder()
        defer { _ = system("rm -rf '\(root)'") }
        let project = PathText.join(root, "demo")
        mkdir(project, 0o755)
        mkdir(PathText.join(project, "task-a"), 0o755)
        try Self.post(PathText.join(project, "PROJECT-MESSAGE-BUS.md"), "project 1")
        try Self.post(PathText.join(project, "task-a", "TASK-MESSAGE-BUS.md"), "task a 1", task: "task-a")
        try Self.post(PathText.join(project, "PROJECT-MESSAGE-BUS.md"), "project 2")

        let sources = try BusSources(.project(root: root, project: "demo"))
        #expect(sources.postPath == PathText.join(project, "PROJECT-MESSAGE-BUS.md"))
        var model = Fixture.model()
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.visibleBodies == ["project 1", "task a 1", "project 2"])

        mkdir(PathText.join(project, "task-b"), 0o755)
        let added = sources.discoverTasks()
        #expect(added.map(\.path) == [PathText.join(project, "task-b", "TASK-MESSAGE-BUS.md")])
        try Self.post(PathText.join(project, "task-b", "TASK-MESSAGE-BUS.md"), "task b 1", task: "task-b")
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.visibleBodies == ["project 1", "task a 1", "project 2", "task b 1"])
        // A task bus appearing for the first time is not news (the demo opened with this notice, issue 9).
        #expect(model.notice == nil)
    }

    @Test("a truncated bus is read again from the start without duplicates")
    func truncation() throws {
        let root = Self.temporaryFolder()
        defer { _ = system("rm -rf '\(root)'") }
        let path = PathText.join(root, "MESSAGE-BUS.md")
        try Self.post(path, "one")
        try Self.post(path, "two")
        let sources = try BusSources(.file(path))
        var model = Fixture.model()
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.visibleBodies == ["one", "two"])
        #expect(truncate(path, 0) == 0)
        try Self.post(path, "three")
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.visibleBodies == ["three"])
        #expect(model.notice == TailReset.truncated.description)
    }

    @Test("rotations between refreshes: every message once, and deleted archives as a notice with their count")
    func rotationChain() throws {
        let root = Self.temporaryFolder()
        defer { _ = system("rm -rf '\(root)'") }
        let path = PathText.join(root, "MESSAGE-BUS.md")
        try Self.post(path, "one")
        let sources = try BusSources(.file(path))
        var model = Fixture.model()
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        func rotate() throws -> String {
            guard case .rotated(let archive, _, _) = try BusRotator.rotate(path, maxSize: 0, lockWait: LockWait())
            else {
                Issue.record("not rotated")
                return ""
            }
            return archive
        }
        _ = try rotate()
        try Self.post(path, "two")
        _ = try rotate()
        try Self.post(path, "three")
        let lost = try rotate()
        try Self.post(path, "four")
        var info = stat()
        #expect(lstat(lost, &info) == 0)
        #expect(unlink(lost) == 0)
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.visibleBodies == ["one", "two", "four"])
        #expect(model.notice == TailReset.archivesMissing(count: 1, bytes: Int(info.st_size)).description)
        #expect(model.notice?.contains("1 rotated archive could not be read") == true)
    }

    @Test("after rotate the notice says rotated, not created (issue 9)", arguments: [false, true])
    func rotationNotice(refreshBetween: Bool) throws {
        let root = Self.temporaryFolder()
        defer { _ = system("rm -rf '\(root)'") }
        let path = PathText.join(root, "MESSAGE-BUS.md")
        try Self.post(path, "one")
        let sources = try BusSources(.file(path))
        var model = Fixture.model()
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.notice == nil)
        _ = try BusRotator.rotate(path, maxSize: 0, lockWait: LockWait())
        if refreshBetween {
            for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        }
        try Self.post(path, "two")
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }
        #expect(model.visibleBodies == ["one", "two"])
        #expect(model.notice?.contains("rotated") == true, "\(model.notice ?? "no notice")")
    }

    @Test("a missing project folder is an error before the terminal is touched")
    func missingFolder() {
        #expect(throws: BusError.self) { try BusSources(.project(root: "/nonexistent-root", project: "demo")) }
        #expect(throws: BusError.self) { try BusSources(.project(root: "/tmp", project: "../x")) }
    }
}
#endif
