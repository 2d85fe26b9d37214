#if os(Linux)
@preconcurrency import Glibc
internal import BusCore

/// The `/` filter history on disk: `$XDG_STATE_HOME/run-agent/filter-history` (else
/// `~/.local/state/run-agent/filter-history`), one filter a line, oldest first.
struct FilterHistoryFile: Sendable {
    let path: String

    /// The file's path from the environment, or nil when neither `XDG_STATE_HOME` nor `HOME` is set.
    static func fromEnvironment(_ environment: [String: String]) -> FilterHistoryFile? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return FilterHistoryFile(path: state + "/run-agent/filter-history")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return FilterHistoryFile(path: home + "/.local/state/run-agent/filter-history")
    }

    /// The saved filters; a missing file is an empty history.
    func load() throws(BusError) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw .system(call: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        // A history is 100 short lines; a bigger file is not ours to read whole.
        while bytes.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .system(call: "read", path: path, errno: errno) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Replaces the file with `entries` (written to a temporary file, then renamed, so a crash never leaves
    /// half a history); creates the folders it needs.
    func save(_ entries: [String]) throws(BusError) {
        try Self.makeFolders(for: path)
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(call: "open", path: temporary, errno: errno) }
        // Newlines inside a filter cannot happen (the prompt is one line), but would split an entry.
        let text = entries.map { $0.replacing("\n", with: " ") }.joined(separator: "\n") + "\n"
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw .system(call: "write", path: temporary, errno: code)
            }
            bytes = bytes.dropFirst(written)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system(call: "rename", path: path, errno: code)
        }
    }

    private static func makeFolders(for path: String) throws(BusError) {
        var folder = ""
        for component in path.split(separator: "/").dropLast() {
            folder += "/" + component
            if mkdir(folder, 0o700) != 0, errno != EEXIST {
                throw .system(call: "mkdir", path: folder, errno: errno)
            }
        }
    }
}
#endif
