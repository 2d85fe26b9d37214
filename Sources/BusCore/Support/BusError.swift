/// Every failure of the engine, with the path, the syscall and the errno where there is one.
///
/// The CLI prints `description` as one line on stderr and exits with `exitCode` (sysexits.h values, documented
/// in the README).
package enum BusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A syscall failed: `'open' failed for '/x/bus.md': No such file or directory (errno 2)`.
    case system(call: String, path: String, errno: Int32)
    /// The bus path is a symbolic link (refused: it could point anywhere).
    case symlink(path: String)
    /// The bus path exists but is not a regular file (directory, FIFO, device, socket, kernel pseudo-file).
    case notRegularFile(path: String, kind: String)
    /// The bus file has more than one hard link: another name could make the writer append to any file.
    case hardLinked(path: String, links: Int)
    /// A folder between the runs root and the bus is a symlink or not a folder (refused, never followed).
    case folderRefused(path: String, kind: String)
    /// A project or task id that cannot be one path component under the root.
    case unsafePathComponent(role: String, value: String)
    /// A message that may not be written (empty type, control characters, ...) to the bus at `path`.
    case invalidMessage(String, path: String)
    /// The body is larger than the configured maximum.
    case bodyTooLarge(bytes: Int, limit: Int, path: String)
    /// Input that is not valid UTF-8 (stdin, `--body-file`).
    case invalidUTF8(source: String)
    /// The write lock stayed busy for the whole timeout.
    case lockTimeout(path: String, seconds: Double)
    /// No bus file was found or the one named does not exist.
    case busNotFound(String)
    /// `--since` names an id that is not on the bus.
    case sinceNotFound(id: String, path: String)
    /// The monitor was started without a terminal on stdin/stdout.
    case notATerminal
    /// A setting (environment variable or option) with a value that cannot be used.
    case invalidSetting(name: String, value: String, expected: String)
    /// More command-line arguments than the argument parser can answer quickly.
    case tooManyArguments(count: Int, limit: Int)
    /// A message over a documented limit found before its bus is known (meta pairs, header size).
    case messageOverLimit(String)

    package var description: String {
        switch self {
        case .system(let call, let path, let errno):
            "'\(call)' failed for '\(path)': \(Errno.describe(errno)) (errno \(errno))"
        case .symlink(let path):
            "message bus must not be a symlink: \(path)"
        case .notRegularFile(let path, let kind):
            "message bus must be a regular file, found \(kind): \(path)"
        case .hardLinked(let path, let links):
            "message bus must not have other hard links (\(links) links): \(path)"
        case .folderRefused(let path, let kind):
            "folder under the runs root must be a real folder, found \(kind) (not followed): \(path)"
        case .unsafePathComponent(let role, let value):
            "\(role) id must be a single path component (no '/', '\\', '..', NUL or control characters): "
                + quoted(value)
        case .invalidMessage(let reason, let path):
            "invalid message for \(path): \(reason)"
        case .bodyTooLarge(let bytes, let limit, let path):
            "invalid message for \(path): body is \(bytes) bytes, over the limit of \(limit) bytes (JRUN_BUS_MAX_BODY)"
        case .invalidUTF8(let source):
            "invalid input: \(source) is not valid UTF-8"
        case .lockTimeout(let path, let seconds):
            "timed out after \(seconds)s waiting for the bus lock (retry later): \(path)"
        case .busNotFound(let detail):
            "message bus not found: \(detail)"
        case .sinceNotFound(let id, let path):
            "message id not found on the bus: \(quoted(id)) in \(path)"
        case .notATerminal:
            "monitor needs a terminal on stdin and stdout; to follow a bus in a pipe or a log use "
                + "`run-agent bus read --follow`"
        case .invalidSetting(let name, let value, let expected):
            "invalid \(name) \(quoted(value)): expected \(expected)"
        case .tooManyArguments(let count, let limit):
            "too many command-line arguments: \(count), at most \(limit)"
        case .messageOverLimit(let detail):
            "invalid message: \(detail)"
        }
    }

    /// The process exit code for this error (sysexits.h): 65 data, 66 no input, 73 cannot create, 74 I/O,
    /// 75 temporary failure.
    package var exitCode: Int32 {
        switch self {
        case .invalidSetting, .notATerminal, .tooManyArguments: 64
        case .invalidMessage, .bodyTooLarge, .invalidUTF8, .sinceNotFound, .messageOverLimit: 65
        case .busNotFound: 66
        case .symlink, .notRegularFile, .hardLinked, .folderRefused, .unsafePathComponent: 73
        case .system: 74
        case .lockTimeout: 75
        }
    }
}

extension BusError {
    /// The same error with a path that starts with `prefix` shown from `replacement` instead: an append made
    /// through a held folder (`ResolvedBus.writePath`) reports the path the user named.
    package func replacingPathPrefix(_ prefix: String, with replacement: String) -> BusError {
        func fix(_ path: String) -> String { PathText.replacingPrefix(prefix, of: path, with: replacement) }
        return switch self {
        case .system(let call, let path, let errno): .system(call: call, path: fix(path), errno: errno)
        case .symlink(let path): .symlink(path: fix(path))
        case .notRegularFile(let path, let kind): .notRegularFile(path: fix(path), kind: kind)
        case .hardLinked(let path, let links): .hardLinked(path: fix(path), links: links)
        case .folderRefused(let path, let kind): .folderRefused(path: fix(path), kind: kind)
        case .invalidMessage(let reason, let path): .invalidMessage(reason, path: fix(path))
        case .bodyTooLarge(let bytes, let limit, let path): .bodyTooLarge(bytes: bytes, limit: limit, path: fix(path))
        case .lockTimeout(let path, let seconds): .lockTimeout(path: fix(path), seconds: seconds)
        case .busNotFound(let detail): .busNotFound(fix(detail))
        case .sinceNotFound(let id, let path): .sinceNotFound(id: id, path: fix(path))
        case .unsafePathComponent, .invalidUTF8, .notATerminal, .invalidSetting, .tooManyArguments,
            .messageOverLimit:
            self
        }
    }
}

/// `value` in double quotes with every control escaped, so a message quoting user input stays one inert line.
private func quoted(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where TerminalText.needsEscape(scalar):
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
