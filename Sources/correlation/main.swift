// `correlation`: Result 2 of the paper (Table 1, Figs 9-10): sharpness and curvature vs validation loss.
// Its protocol (profiles, runs, statistics, claims) is Sources/Results/Correlation/; this file
// only starts its command line (`correlation --help`).
import Results

ResultCommand.correlation()
