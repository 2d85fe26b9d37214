import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 7, defect 3: folders under the runs root are never followed through a symlink.
@Suite struct SymlinkedFolderTests {
    /// Creates a symlink as an unprivileged user when the tests run as root (the attack of the issue: anyone
    /// who can write to a shared runs root plants the link, root's post must not follow it).
    private func plantSymlink(_ sandbox: Sandbox, at link: String, to target: String) throws {
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            let planted = try sandbox.run(
                "/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/ln", "-s", target, link]
            )
            try #require(planted.status == 0, "setpriv ln: \(planted.stderr)")
        } else {
            print("note: not root, the symlink is planted by the current user")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        }
    }

    /// A runs root anyone may write to (no sticky bit: with it, fs.protected_symlinks would hide the defect).
    private func sharedRoot(_ sandbox: Sandbox) throws -> (root: String, victim: String) {
        let root = sandbox.path + "/runs"
        let victim = sandbox.path + "/victim"
        for folder in [root, victim] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        }
        #expect(chmod(root, 0o777) == 0)
        return (root, victim)
    }

    @Test(arguments: ["project", "task"])
    func symlinkedFolderIsRefused(level: String) throws {
        try withSandbox { sandbox in
            let (root, victim) = try sharedRoot(sandbox)
            let link: String
            if level == "project" {
                link = root + "/demo"
            } else {
                try FileManager.default.createDirectory(atPath: root + "/demo", withIntermediateDirectories: false)
                #expect(chmod(root + "/demo", 0o777) == 0)
                link = root + "/demo/t1"
            }
            try plantSymlink(sandbox, at: link, to: victim)
            let ids = ["--root", root, "--project", "demo", "--task", "t1"]
            let commands: [[String]] = [
                ["post"] + ids + ["--body", "secret", "--no-fsync"],
                ["post", "--root", root, "--project", "demo", "--body", "secret", "--no-fsync"],
                ["read"] + ids,
                ["poll"] + ids + ["--timeout", "0"],
                ["rotate"] + ids + ["--max-size", "1"],
            ]
            for arguments in commands where level == "project" || arguments.contains("--task") {
                let result = try sandbox.bus(arguments, timeout: .seconds(20))
                #expect(result.status == 73, "\(arguments): \(result.stderr)")
                #expect(result.stderrLines.count == 1, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(link), "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains("symlink"), "\(arguments): \(result.stderr)")
            }
            #expect(listing(victim).isEmpty, "created through the symlink: \(listing(victim))")
            var info = stat()
            #expect(lstat(link, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        }
    }

    @Test func folderThatIsAFileIsRefused() throws {
        try withSandbox { sandbox in
            let (root, _) = try sharedRoot(sandbox)
            try writeBytes(root + "/demo", Array("not a folder\n".utf8))
            let result = try sandbox.bus(["post", "--root", root, "--project", "demo", "--body", "x", "--no-fsync"])
            #expect(result.status == 73, "\(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains(root + "/demo"))
            #expect(readBytes(root + "/demo") == Array("not a folder\n".utf8))
        }
    }

    /// The root itself is the user's choice: a symlinked root is followed, and folders are created below it.
    @Test func symlinkedRootIsFollowed() throws {
        try withSandbox { sandbox in
            let real = sandbox.path + "/real-runs"
            try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: false)
            let root = sandbox.path + "/runs"
            try FileManager.default.createSymbolicLink(atPath: root, withDestinationPath: real)
            let result = try sandbox.bus([
                "post", "--root", root, "--project", "demo", "--task", "t1", "--body", "fine", "--no-fsync",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try BusReader.read(real + "/demo/t1/TASK-MESSAGE-BUS.md").messages.map(\.body) == ["fine"])
            let read = try sandbox.bus(["read", "--root", root, "--project", "demo", "--task", "t1"])
            #expect(read.stdout.hasSuffix("(INFO) fine\n"), "\(read.stderr)")
        }
    }

    @Test func hardLinkedBusIsRefused() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "before")
            let before = readBytes(bus)
            let other = sandbox.file("other.md")
            try #require(link(bus, other) == 0)
            for path in [bus, other] {
                for arguments in [
                    ["post", "--bus", path, "--project", "p", "--body", "x", "--no-fsync"], ["read", "--bus", path],
                    ["rotate", "--bus", path, "--max-size", "1"],
                ] {
                    let result = try sandbox.bus(arguments)
                    #expect(result.status == 73, "\(arguments): \(result.stderr)")
                    #expect(
                        result.stderr == "run-agent: message bus must not have other hard links (2 links): \(path)\n"
                    )
                }
            }
            #expect(readBytes(bus) == before)
            #expect(listing(sandbox.path) == ["bus.md", "other.md"])

            // Under a root too.
            let root = sandbox.path + "/runs"
            try FileManager.default.createDirectory(atPath: root + "/demo", withIntermediateDirectories: true)
            try #require(link(bus, root + "/demo/PROJECT-MESSAGE-BUS.md") == 0)
            let result = try sandbox.bus(["post", "--root", root, "--project", "demo", "--body", "x"])
            #expect(result.status == 73, "\(result.stderr)")
            #expect(result.stderr.contains(root + "/demo/PROJECT-MESSAGE-BUS.md"))
            #expect(readBytes(bus) == before)
        }
    }
}
