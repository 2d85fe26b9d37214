#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a bus file must be beyond "fstat says regular file": not a kernel interface, and reachable by one name.
enum BusFileChecks {
    /// Refuses an opened bus that only looks like a regular file, or that other names could also reach.
    ///
    /// - Parameters:
    ///   - fd: the opened bus.
    ///   - info: its `fstat`.
    ///   - path: the name it was opened by, for the error.
    /// - Throws: `.notRegularFile` for a kernel pseudo-file (`/proc/self/mem` is a "regular file" of size 0 whose
    ///   writes land in process memory), `.hardLinked` when `st_nlink > 1` (a hard link planted in a shared
    ///   folder would make the writer append to whatever file it names).
    static func requireOrdinary(fd: Int32, info: stat, path: String) throws(BusError) {
        if let name = PseudoFilesystem.name(fd: fd) {
            throw .notRegularFile(path: path, kind: "a kernel pseudo-file (\(name))")
        }
        if info.st_nlink > 1 { throw .hardLinked(path: path, links: Int(info.st_nlink)) }
    }
}

/// Kernel filesystems whose files are interfaces, not data: procfs, sysfs and friends.
enum PseudoFilesystem {
    /// `f_type` magic numbers from `linux/magic.h`, with the names `mount` shows.
    private static let names: [UInt32: String] = [
        0x9FA0: "proc", 0x6265_6572: "sysfs", 0x6462_6720: "debugfs", 0x7472_6163: "tracefs",
        0x7363_6673: "securityfs", 0x0027_E0EB: "cgroup", 0x6367_7270: "cgroup2", 0xCAFE_4A11: "bpf",
        0x6265_6570: "configfs", 0xDE5E_81E4: "efivarfs", 0x6165_676C: "pstore", 0xF97C_FF8C: "selinuxfs",
    ]

    /// The pseudo-filesystem holding `fd`, or nil for an ordinary one (or when `fstatfs` cannot tell).
    static func name(fd: Int32) -> String? {
        #if os(Linux)
        guard let type = filesystemType(fd: fd) else { return nil }
        return names[type]
        #else
        return nil
        #endif
    }

    #if os(Linux)
    private typealias FstatfsFunction = @convention(c) (Int32, UnsafeMutableRawPointer) -> Int32

    /// glibc's `fstatfs`, looked up once: Glibc's Swift module hides it (and `struct statfs`).
    private static let fstatfsFunction: FstatfsFunction? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "fstatfs") else { return nil }
        return unsafeBitCast(symbol, to: FstatfsFunction.self)
    }()

    /// `fstatfs(2)`'s `f_type`: the first field of `struct statfs`, a C `long` on Linux.
    private static func filesystemType(fd: Int32) -> UInt32? {
        guard let fstatfsFunction else { return nil }
        // struct statfs is 120 bytes on 64-bit Linux; leave room to spare.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: MemoryLayout<Int>.alignment)
        defer { buffer.deallocate() }
        guard fstatfsFunction(fd, buffer) == 0 else { return nil }
        return UInt32(truncatingIfNeeded: buffer.load(as: Int.self))
    }
    #endif
}
