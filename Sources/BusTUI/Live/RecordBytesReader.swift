#if os(Linux)
@preconcurrency import Glibc
internal import BusCore

/// Reads a malformed record's bytes for the `!` overlay, in the live layer so the model and views stay pure.
enum RecordBytesReader {
    /// The first `request.count` bytes at `request.offset` of `request.path` (`open` and `pread`).
    ///
    /// Done on the event loop's thread: at most `RecordBytesRequest.readCap` bytes of a local file, once per
    /// record shown, is quicker than a frame. Opened like the tailer opens the bus (no symlinks, regular files).
    /// - Returns: the bytes (fewer when the file is shorter now), or the error's message naming the call and path.
    static func read(_ request: RecordBytesRequest) -> RecordBytes {
        do throws(BusError) {
            let handle = try BusFile.open(request.path, flags: O_RDONLY)
            return .loaded(try handle.read(at: request.offset, count: request.count), requested: request.count)
        } catch {
            return .failed(error.description)
        }
    }
}
#endif
