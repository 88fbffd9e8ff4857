import CPhotoCodec

/// Owns a `pc_convert_result` and the JPEG buffers the C codec allocated in it.
final class ConvertResult {
    var raw = pc_convert_result()
    deinit { pc_convert_result_free(&raw) }
}

/// Owns a `pc_image` and its pixel buffer.
final class DecodedImage {
    var raw = pc_image()
    deinit { pc_image_free(&raw) }
}

/// Owns a `pc_buffer` and its bytes (`package`: the test fixture writers fill one too).
package final class EncodedBuffer {
    package var raw = pc_buffer()
    package init() {}
    deinit { pc_buffer_free(&raw) }

    /// The bytes as a Swift array (copied).
    package var bytes: [UInt8] {
        guard let data = raw.data, raw.size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: raw.size))
    }
}

/// Copies `count` bytes from a C buffer; empty for NULL.
func copyBytes(_ pointer: UnsafeMutablePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// The text of a NUL-terminated C message array; nil when empty.
func text<Message>(_ message: Message) -> String? {
    let value = withUnsafeBytes(of: message) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    return value.isEmpty ? nil : value
}

/// Owns a `pc_session` (decoded pixels, and the open file when it came from one).
final class DecodeSession {
    var raw: OpaquePointer?
    var info = pc_session_info()
    deinit { pc_session_free(raw) }
}
