#if os(Linux)
@preconcurrency import Glibc

/// One inotify event: the watch it came from, its mask, and the file name for directory watches.
package struct InotifyEvent: Sendable, Equatable {
    package var watch: Int32
    package var mask: UInt32
    package var name: String
}

/// An inotify instance (`inotify_init1(IN_NONBLOCK|IN_CLOEXEC)`): callers `poll()` its descriptor and then
/// drain the events.
package final class InotifyWatcher {
    package let fd: Int32

    /// - Throws: `BusError.system` when inotify is unavailable (limits reached).
    package init() throws(BusError) {
        fd = try Errno.retrying("inotify_init1", path: "(inotify)") {
            inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        }
    }

    deinit { close(fd) }

    /// `inotify_add_watch(2)`.
    package func add(_ path: String, mask: UInt32) throws(BusError) -> Int32 {
        try Errno.retrying("inotify_add_watch", path: path) { inotify_add_watch(fd, path, mask) }
    }

    /// `inotify_rm_watch(2)`; a watch the kernel already dropped (file deleted) is fine.
    package func remove(_ watch: Int32) {
        _ = inotify_rm_watch(fd, watch)
    }

    /// Reads every queued event without blocking.
    ///
    /// The name field is parsed from the raw bytes (`name[]` is
    /// not imported into Swift): wd +0, mask +4, cookie +8, len +12, name +16.
    package func drain() -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return events }
            var position = 0
            while position + 16 <= count {
                let watch = Self.load(Int32.self, buffer, position)
                let mask = Self.load(UInt32.self, buffer, position + 4)
                let length = Int(Self.load(UInt32.self, buffer, position + 12))
                let nameBytes = buffer[(position + 16)..<min(position + 16 + length, count)].prefix { $0 != 0 }
                events.append(InotifyEvent(watch: watch, mask: mask, name: String(decoding: nameBytes, as: UTF8.self)))
                position += 16 + length
            }
        }
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, _ buffer: [UInt8], _ offset: Int) -> T {
        buffer.withUnsafeBytes { raw in raw.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    /// Masks used by the tailers.
    package static let fileMask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB)
    package static let directoryMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)
    package static let overflow = UInt32(IN_Q_OVERFLOW)
}

/// Whether inotify can be trusted for a path: it does not see writes made by other hosts on network and
/// FUSE filesystems, where the tailer polls `stat` instead.
///
/// The filesystem type comes from `/proc/self/mountinfo` (the mount with the longest matching mount point):
/// Glibc's Swift module hides `statfs`, and the type names there are clearer than magic numbers anyway.
package enum FilesystemKind {
    private static let remoteTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph", "afs", "lustre", "gpfs", "glusterfs", "sshfs",
    ]

    /// True when `path` lives on a filesystem where inotify misses remote writes.
    package static func isRemote(_ path: String) -> Bool {
        guard let type = filesystemType(of: path) else { return false }
        return remoteTypes.contains(type) || type.hasPrefix("fuse")
    }

    /// The filesystem type name of the mount holding `path` (`ext4`, `nfs4`, `fuse.sshfs`, ...).
    package static func filesystemType(of path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        let absolute = String(cString: resolved)
        free(resolved)
        guard let handle = try? BusFile.openProc("/proc/self/mountinfo"),
            let bytes = try? BusReader.readToEnd(handle, from: 0, sizeHint: 0)
        else { return nil }
        var best: (length: Int, type: String)?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            let fields = line.split(separator: " ")
            guard fields.count > 4, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let mountPoint = String(fields[4]).replacingOctalEscapes
            let matches =
                absolute == mountPoint || mountPoint == "/"
                || absolute.hasPrefix(mountPoint.hasSuffix("/") ? mountPoint : mountPoint + "/")
            if matches, mountPoint.count >= (best?.length ?? -1) {
                best = (mountPoint.count, String(fields[dash + 1]))
            }
        }
        return best?.type
    }
}

extension String {
    /// mountinfo writes spaces and other bytes in paths as `\\040`-style octal escapes.
    fileprivate var replacingOctalEscapes: String {
        guard contains("\\") else { return self }
        var bytes: [UInt8] = []
        let source = Array(utf8)
        var index = 0
        while index < source.count {
            if source[index] == 0x5C, index + 3 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
#endif
