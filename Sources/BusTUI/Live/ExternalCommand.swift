#if os(Linux)
@preconcurrency import Glibc
internal import BusCore

/// Runs the user's pager or editor (`sh -c "$PAGER"`) in the foreground and waits for it, as `system(3)` does:
/// the monitor ignores SIGINT and SIGQUIT meanwhile (a Ctrl-C in less is for less), the child gets them back.
enum ExternalCommand {
    /// Runs `command` through `sh -c`, with `arguments` as `$1...`, stdin from `stdinPath` when given.
    /// - Returns: nil on success, else why it failed (could not start, or exited non-zero).
    static func run(_ command: String, arguments: [String] = [], stdinPath: String? = nil) -> String? {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var oldInterrupt = sigaction()
        var oldQuit = sigaction()
        sigaction(SIGINT, &ignore, &oldInterrupt)
        sigaction(SIGQUIT, &ignore, &oldQuit)
        defer {
            sigaction(SIGINT, &oldInterrupt, nil)
            sigaction(SIGQUIT, &oldQuit, nil)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinPath { posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var cArguments = (["sh", "-c", command, "sh"] + arguments).map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArguments, environ)
        guard result == 0 else { return "could not start /bin/sh: \(Errno.describe(result))" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        if !exited { return "\(command) ended by signal \(status & 0x7F)" }
        return code == 0 ? nil : "\(command) exited with status \(code)"
    }

    /// The command in the environment variable `name`, else `fallback`.
    static func fromEnvironment(_ name: String, fallback: String) -> String {
        guard let value = getenv(name).map({ String(cString: $0) }), !value.trimmingSpaces.isEmpty else {
            return fallback
        }
        return value
    }
}

/// A file under `TMPDIR` (else /tmp) that lives while it is used: the pager's input, the editor's draft.
struct TemporaryFile {
    let path: String

    /// Creates the file (`mkstemp`, mode 0600) holding `text`.
    /// - Throws: `BusError.system` naming the call and the path.
    init(_ prefix: String, suffix: String = "", text: String) throws(BusError) {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/" + prefix + "-XXXXXX" + suffix).utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, Int32(suffix.utf8.count))
        }
        // mkstemps replaced the X's in place; the last element is the terminating NUL.
        let made = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else { throw .system(call: "mkstemp", path: made, errno: errno) }
        path = made
        defer { close(fd) }
        try FileBytes.write(fd, Array(text.utf8), path: path)
    }

    func read() throws(BusError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .system(call: "read", path: path, errno: errno) }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func remove() { unlink(path) }
}

/// Whole-buffer writes with EINTR and short writes handled.
enum FileBytes {
    static func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(BusError) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw .system(call: "write", path: path, errno: errno) }
            rest = rest.dropFirst(written)
        }
    }

    /// Writes `bytes` to `path` for `w`: into a new file beside it (0644), renamed over `path` once whole, so a
    /// failed export leaves what was there, and a reader of `path` never sees half a file.
    static func replace(_ path: String, with bytes: [UInt8]) throws(BusError) {
        let temporary = path + ".export-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(call: "open", path: temporary, errno: errno) }
        do throws(BusError) {
            defer { close(fd) }
            try write(fd, bytes, path: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system(call: "rename", path: path, errno: code)
        }
    }
}

/// Where `w` must not write: an export replaces its target whole, and a bus replaced that way loses every message
/// the filter hid, and any record an agent appends meanwhile.
enum ExportTarget {
    /// Why `path` is refused, or nil: a file named like a bus, or the very file of a bus this monitor follows
    /// (the same device and inode, whatever the name or link).
    static func refusal(_ path: String, buses: [String]) -> String? {
        if BusPaths.discoveryOrder.contains(PathText.split(path).name) {
            return "not exporting to \(path): that is a bus file's name; choose another"
        }
        var target = stat()
        guard stat(path, &target) == 0 else { return nil }
        for bus in buses {
            var info = stat()
            if stat(bus, &info) == 0, info.st_dev == target.st_dev, info.st_ino == target.st_ino {
                return "not exporting to \(path): it is the bus \(bus) this monitor follows; choose another name"
            }
        }
        return nil
    }
}
#endif
