// `displacement`: Result 6 of the paper (Fig 7): curvature and displacement of shifted minima.
// Its protocol (profiles, runs, statistics, claims) is Sources/Results/Displacement/; this file
// only starts its command line (`displacement --help`).
import Results

ResultCommand.displacement()
