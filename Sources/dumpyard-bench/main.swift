print("dumpyard-bench")
