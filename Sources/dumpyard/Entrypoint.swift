import DumpService

#if canImport(Glibc)
import Glibc
#endif

CommandLineTool.start()
exit(CommandLineTool.run(Array(CommandLine.arguments.dropFirst())))
