// photocodec-probe: converts one file in a fresh process and reports the process's peak memory, so tests can
// measure what one conversion costs (ru_maxrss of this process alone). Test support only: not in any product.
//   photocodec-probe FILE [MAX_MEMORY_BYTES]  ->  "ok WxH" or "error REASON message", then "maxrss KB"
import Foundation
import PhotoCodec

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: photocodec-probe FILE [MAX_MEMORY_BYTES]\n".utf8))
    exit(2)
}
var options = ConvertOptions()
if arguments.count >= 3, let budget = Int(arguments[2]) { options.maxMemory = budget }
do {
    let photo = try PhotoCodec.convert(contentsOf: arguments[1], options: options)
    print("ok \(photo.width)x\(photo.height)")
} catch {
    print("error \(error.reason.rawValue) \(error.message)")
}
#if os(Linux)
    // VmHWM, not ru_maxrss: Linux carries the parent's peak into a child's ru_maxrss across exec, so a child of a big test
    // process would report at least that; VmHWM belongs to this process's own memory map.
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    print("maxrss \(peak.map { $0.split(separator: " ")[1] } ?? "0")")  // KiB
#else
    var usage = rusage()
    getrusage(RUSAGE_SELF, &usage)
    print("maxrss \(usage.ru_maxrss / 1024)")  // bytes on macOS
#endif
