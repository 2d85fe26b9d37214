#if os(Linux)
@preconcurrency import Glibc

/// An inotify instance (`inotify_init1(IN_NONBLOCK|IN_CLOEXEC)`): callers `poll()` its descriptor and then
/// drain the events.
package final class InotifyWatcher {
    package let fd: Int32
    /// Room for a burst of events (each is 16 bytes plus a name), kept to avoid an allocation per drain.
    private var drainBuffer = [UInt8](repeating: 0, count: 16 * 1024)

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

    /// Discards every queued event without blocking, for callers that only need to know that something changed
    /// (they re-`stat` and read from their offset).
    package func drain() {
        _ = drain(movesOf: nil, name: "")
    }

    /// Discards every queued event without blocking, noticing whether a file was renamed away.
    ///
    /// Only the event masks (and, for `IN_MOVED_FROM`, the name) are decoded: a rename is a rotation, which
    /// the tailer reports as such even when the renamed file is gone by the time it looks.
    /// - Parameters:
    ///   - watch: a file watch; its `IN_MOVE_SELF` counts.
    ///   - name: a name in a watched folder; its `IN_MOVED_FROM` counts.
    /// - Returns: true when one of those events was queued.
    package func drain(movesOf watch: Int32?, name: String) -> Bool {
        var moved = false
        let nameBytes = Array(name.utf8)
        while true {
            let count = drainBuffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return moved }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let event = drainBuffer.withUnsafeBytes { raw in
                    raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                }
                let start = offset + headerSize
                let end = min(start + Int(event.len), count)
                if event.mask & UInt32(IN_MOVE_SELF) != 0, event.wd == watch {
                    moved = true
                } else if event.mask & UInt32(IN_MOVED_FROM) != 0, !nameBytes.isEmpty {
                    // The name is NUL-padded to `len` bytes.
                    let eventName = drainBuffer[start..<end].prefix { $0 != 0 }
                    if eventName.elementsEqual(nameBytes) { moved = true }
                }
                offset = start + Int(event.len)
            }
        }
    }

    /// Masks used by the tailers.
    package static let fileMask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB)
    package static let directoryMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)
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
