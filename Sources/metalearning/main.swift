// `metalearning`: Result 5 of the paper (Fig 6): learning where to teleport with LSTM meta-optimisers.
// Its protocol (profiles, runs, statistics, claims) is Sources/Results/Metalearning/; this file
// only starts its command line (`metalearning --help`).
import Results

ResultCommand.metalearning()
