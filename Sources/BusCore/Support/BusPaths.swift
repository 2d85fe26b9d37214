#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where bus files live and what a bus path says about its project and task (CONTRACT section 1).
package enum BusPaths {
    package static let taskFileName = "TASK-MESSAGE-BUS.md"
    package static let projectFileName = "PROJECT-MESSAGE-BUS.md"
    package static let plainFileName = "MESSAGE-BUS.md"
    /// Discovery tries these in each folder, in this order.
    package static let discoveryOrder = [taskFileName, projectFileName, plainFileName]

    /// The runs root: `--root`, else `JRUN_RUNS_DIR`, else `~/.run-agent/runs`.
    ///
    /// Nothing is created.
    package static func root(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let fromEnvironment = environment["JRUN_RUNS_DIR"], !fromEnvironment.isEmpty { return fromEnvironment }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
        return PathText.join(home, ".run-agent", "runs")
    }

    /// Rejects ids that are not exactly one path component, so `--project ../x` never escapes the root.
    /// - Throws: `BusError.unsafePathComponent`.
    package static func validateComponent(_ value: String, role: String) throws(BusError) {
        let bad =
            value.isEmpty || value == "." || value == ".." || value.contains("/") || value.contains("\\")
            || value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        if bad { throw .unsafePathComponent(role: role, value: value) }
    }

    /// `<root>/<project>/PROJECT-MESSAGE-BUS.md`.
    package static func projectBus(root: String, project: String) throws(BusError) -> String {
        try validateComponent(project, role: "project")
        return PathText.join(root, project, projectFileName)
    }

    /// `<root>/<project>/<task>/TASK-MESSAGE-BUS.md`.
    package static func taskBus(root: String, project: String, task: String) throws(BusError) -> String {
        try validateComponent(project, role: "project")
        try validateComponent(task, role: "task")
        return PathText.join(root, project, task, taskFileName)
    }

    /// Names in a folder (no `.`/`..`); empty when it cannot be read.
    package static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// True for a regular file that is not a symlink (`lstat`): discovery only offers what the writer accepts.
    package static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The nearest bus from `directory` upward: in each folder TASK-, then PROJECT-, then MESSAGE-BUS.md.
    package static func discover(from directory: String) -> String? {
        var current = absolute(directory)
        while true {
            for name in discoveryOrder {
                let candidate = PathText.join(current, name)
                if isRegularFile(candidate) { return candidate }
            }
            guard current != "/" else { return nil }
            current = PathText.split(current).directory
        }
    }

    /// `path` made absolute against the working folder, with `.` and `..` components resolved textually.
    package static func absolute(_ path: String) -> String {
        var base = ""
        if !path.hasPrefix("/") {
            if let cwd = getcwd(nil, 0) {
                base = String(cString: cwd)
                free(cwd)
            }
        }
        var parts: [Substring] = []
        for part in (base + "/" + path).split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// What a bus path says about its context: a TASK- file names its task (folder) and project (parent
    /// folder); PROJECT- and plain MESSAGE-BUS.md files name their project (folder).
    package static func context(ofBus path: String) -> (project: String?, task: String?) {
        let (directory, name) = PathText.split(absolute(path))
        let folder = PathText.split(directory).name
        let parent = PathText.split(PathText.split(directory).directory).name
        switch name {
        case taskFileName: return (parent.isEmpty ? nil : parent, folder.isEmpty ? nil : folder)
        case projectFileName, plainFileName: return (folder.isEmpty ? nil : folder, nil)
        default: return (nil, nil)
        }
    }
}
