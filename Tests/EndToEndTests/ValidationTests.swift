import Foundation
import Testing

/// Test 9: invalid input is refused with exit 65 (or 73 for ids that would escape the root), nothing written.
@Suite struct InvalidInputTests {
    enum Case: String, CaseIterable {
        case emptyType, multiLineType, controlCharacterType, invalidUTF8, bodyOverLimit
    }

    @Test(arguments: Case.allCases)
    func refusedWithNothingWritten(kind: Case) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "already here")
            let before = readBytes(bus)
            let files = listing(sandbox.path)
            let root = sandbox.base + "/root"
            for target in [["--bus", bus], ["--root", root, "--project", "p", "--task", "t"]] {
                var arguments = ["post"] + target + ["--no-fsync"]
                var stdin: [UInt8]?
                var environment: [String: String] = [:]
                switch kind {
                case .emptyType: arguments += ["--type", "", "--body", "x"]
                case .multiLineType: arguments += ["--type", "FACT\nDONE", "--body", "x"]
                case .controlCharacterType: arguments += ["--type", "FA\u{01}CT", "--body", "x"]
                case .invalidUTF8: stdin = [0x6F, 0x6B, 0xFF, 0xFE, 0x0A]
                case .bodyOverLimit:
                    environment["JRUN_BUS_MAX_BODY"] = "1K"
                    stdin = Array(String(repeating: "y", count: 1025).utf8)
                }
                if !arguments.contains("--project") { arguments += ["--project", "p"] }
                let result = try sandbox.bus(arguments, environment: environment, stdin: stdin)
                #expect(result.status == 65, "\(kind) \(target): \(result.stderr)")
                #expect(result.stdout.isEmpty)
                #expect(result.stderrLines.count == 1)
                #expect(readBytes(bus) == before)
                #expect(listing(sandbox.path) == files)
                #expect(!FileManager.default.fileExists(atPath: root), "\(kind) created folders under the root")
            }
        }
    }

    @Test func bodyAtTheLimitIsAccepted() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let body = Array(String(repeating: "y", count: 1024).utf8)
            let result = try sandbox.bus(
                ["post", "--bus", bus, "--project", "p"],
                environment: ["JRUN_BUS_MAX_BODY": "1K"],
                stdin: body
            )
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test(arguments: [
        ["--project", "../x"], ["--project", ".."], ["--project", "p", "--task", "a/b"],
        ["--project", "p", "--task", ".."],
        ["--project", "a\\b"], ["--project", "p", "--task", "t\u{01}"],
    ])
    func idsThatEscapeTheRootAreRefused(ids: [String]) throws {
        try withSandbox { sandbox in
            let root = sandbox.path + "/runs/inner"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let result = try sandbox.bus(["post", "--root", root, "--body", "x", "--no-fsync"] + ids)
            #expect(result.status == 73, "\(ids): \(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains("single path component"))
            #expect(listing(root).isEmpty)
            #expect(listing(sandbox.path + "/runs") == ["inner"])
            #expect(listing(sandbox.path) == ["runs"])
            let read = try sandbox.bus(["read", "--root", root] + ids)
            #expect(read.status == 73)
        }
    }
}

/// Test 7: symlinks, folders and FIFOs are refused (exit 73) and left as they were.
@Suite struct RefusedPathTests {
    @Test func symlinkToARegularFile() throws {
        try withSandbox { sandbox in
            let target = sandbox.file("real.md")
            try sandbox.post(target, "in the real file")
            let before = readBytes(target)
            let link = sandbox.file("link.md")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            for arguments in [
                ["post", "--bus", link, "--project", "p", "--body", "x"], ["rotate", "--bus", link, "--max-size", "1"],
            ] {
                let result = try sandbox.bus(arguments)
                #expect(result.status == 73, "\(arguments[0]): \(result.stderr)")
                #expect(result.stderr == "run-agent: message bus must not be a symlink: \(link)\n")
            }
            #expect(try sandbox.bus(["read", "--bus", link]).status == 73)
            #expect(readBytes(target) == before)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
            #expect(listing(sandbox.path) == ["link.md", "real.md"])
        }
    }

    @Test func directory() throws {
        try withSandbox { sandbox in
            let folder = sandbox.file("bus.md")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            let result = try sandbox.bus(["post", "--bus", folder, "--project", "p", "--body", "x"])
            #expect(result.status == 73, "\(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains(folder))
            #expect(listing(folder).isEmpty)
            #expect(listing(sandbox.path) == ["bus.md"])
        }
    }

    @Test func fifoDoesNotBlock() throws {
        try withSandbox { sandbox in
            let fifo = sandbox.file("bus.md")
            #expect(mkfifo(fifo, 0o644) == 0)
            for arguments in [["post", "--bus", fifo, "--project", "p", "--body", "x"], ["read", "--bus", fifo]] {
                let result = try sandbox.bus(arguments, timeout: .seconds(10))
                #expect(!result.timedOut, "\(arguments[0]) blocked on a FIFO")
                #expect(result.status == 73, "\(arguments[0]): \(result.stderr)")
                #expect(result.stderr.contains(fifo))
            }
            var info = stat()
            #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
            #expect(listing(sandbox.path) == ["bus.md"])
        }
    }

    @Test func missingBusIsNotFound() throws {
        try withSandbox { sandbox in
            let result = try sandbox.bus(["read", "--bus", sandbox.file("nope.md")])
            #expect(result.status == 66)
            let discovered = try sandbox.bus(["read"])
            #expect(discovered.status == 66)
            #expect(listing(sandbox.path).isEmpty)
        }
    }
}
