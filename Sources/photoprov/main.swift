// The entry point: hand the arguments to the command table and exit with its code.
import Foundation

Signals.unblockInherited()
Scheduling.preferThroughput()
let code = await CommandLine.run(Array(CommandLine.arguments.dropFirst()))
exit(code.rawValue)
