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

    /// `<root>/<project>/PROJECT-MESSAGE-BUS.md`, its folder checked as `resolve` does (nothing is created).
    /// - Throws: `.unsafePathComponent`, `.folderRefused` for a symlinked project folder.
    package static func projectBus(root: String, project: String) throws(BusError) -> String {
        try validateComponent(project, role: "project")
        return try resolve(root: root, folders: [project], fileName: projectFileName, create: false).path
    }

    /// `<root>/<project>/<task>/TASK-MESSAGE-BUS.md`, its folders checked as `resolve` does (nothing is created).
    /// - Throws: `.unsafePathComponent`, `.folderRefused` for a symlinked project or task folder.
    package static func taskBus(root: String, project: String, task: String) throws(BusError) -> String {
        try validateComponent(project, role: "project")
        try validateComponent(task, role: "task")
        return try resolve(root: root, folders: [project, task], fileName: taskFileName, create: false).path
    }

    /// Walks from the runs root to a bus's folder one component at a time with
    /// `openat(O_NOFOLLOW | O_DIRECTORY)`, so no symlink below the root is ever followed; with `create`, missing
    /// folders are made with `mkdirat` relative to their parent's descriptor (never through a symlink).
    ///
    /// The root itself is followed: it is the user's choice (`--root`, `JRUN_RUNS_DIR`, HOME).
    /// - Parameters:
    ///   - root: the runs root; with `create`, made like `mkdir -p` when missing.
    ///   - folders: validated single path components below the root (project, then task).
    ///   - fileName: the bus file's name in the last folder.
    ///   - create: make missing folders; without it a missing folder ends the walk (the caller reports the
    ///     missing bus).
    /// - Returns: the bus, holding its folder open when the walk reached it.
    /// - Throws: `.folderRefused` for a symlink or non-folder in the way, `.system` for other failures.
    package static func resolve(
        root: String,
        folders: [String],
        fileName: String,
        create: Bool
    ) throws(BusError) -> ResolvedBus {
        var textual = root
        for part in folders + [fileName] { textual = PathText.join(textual, part) }
        if create { try makeFolders(root) }
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT && !create { return ResolvedBus(path: textual, folderFD: -1, fileName: fileName) }
            throw .system(call: "open", path: root, errno: code)
        }
        var current = root
        for name in folders {
            current = PathText.join(current, name)
            var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, create {
                // EEXIST: made meanwhile by another writer, or a symlink planted meanwhile (openat refuses it).
                if mkdirat(fd, name, 0o755) != 0, errno != EEXIST {
                    let code = errno
                    close(fd)
                    throw .system(call: "mkdirat", path: current, errno: code)
                }
                next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else {
                let code = errno
                var info = stat()
                let found = fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0
                close(fd)
                if code == ENOENT && !create { return ResolvedBus(path: textual, folderFD: -1, fileName: fileName) }
                // O_NOFOLLOW on a symlink gives ELOOP; O_DIRECTORY on anything else ENOTDIR.
                if found, code == ELOOP || code == ENOTDIR {
                    let kind = info.st_mode & S_IFMT == S_IFLNK ? "a symlink" : "a " + info.kindName
                    throw .folderRefused(path: current, kind: kind)
                }
                throw .system(call: "openat", path: current, errno: code)
            }
            close(fd)
            fd = next
        }
        return ResolvedBus(path: textual, folderFD: fd, fileName: fileName)
    }

    /// `mkdir -p` for the runs root (symlinks followed: the root is the user's choice).
    private static func makeFolders(_ path: String) throws(BusError) {
        var missing: [String] = []
        var folder = path
        var info = stat()
        while folder != "/", !folder.isEmpty, folder != ".", stat(folder, &info) != 0 {
            missing.insert(folder, at: 0)
            folder = PathText.split(folder).directory
        }
        for folder in missing where mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw .system(call: "mkdir", path: folder, errno: errno)
        }
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

/// A bus under the runs root whose folders were reached without following a symlink (`BusPaths.resolve`).
///
/// While it lives it holds the bus's folder open, and `writePath` names the bus through that descriptor
/// (`/proc/self/fd/N/NAME`): the kernel resolves it to the folder that was checked, so a folder swapped for a
/// symlink after the check cannot redirect the writer. Messages name `path`.
package final class ResolvedBus: Sendable {
    /// The bus as the user would write it: `<root>/<project>[/<task>]/<file>`.
    package let path: String
    private let folderFD: Int32
    private let fileName: String

    init(path: String, folderFD: Int32, fileName: String) {
        self.path = path
        self.folderFD = folderFD
        self.fileName = fileName
    }

    deinit {
        if folderFD >= 0 { close(folderFD) }
    }

    /// The path to open the bus by: through the held folder when `/proc` can name it, else `path`.
    package var writePath: String {
        guard folderFD >= 0 else { return path }
        let folder = "/proc/self/fd/" + String(folderFD)
        return access(folder, F_OK) == 0 ? folder + "/" + fileName : path
    }
}
