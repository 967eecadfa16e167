// `optimizers`: Result 4 of the paper (Fig 5): teleportation inside AdaGrad, momentum, RMSProp and Adam.
// Its protocol (profiles, runs, statistics, claims) is Sources/Results/Optimizers/; this file
// only starts its command line (`optimizers --help`).
import Results

ResultCommand.optimizers()
