// `convergence`: Result 1 of the paper (Section 3): the convergence theorems checked numerically.
// Its protocol (profiles, runs, statistics, claims) is Sources/Results/Convergence/; this file
// only starts its command line (`convergence --help`).
import Results

ResultCommand.convergence()
