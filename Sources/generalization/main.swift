// `generalization`: Result 3 of the paper (Fig 4): teleporting to change sharpness or curvature at epoch 20.
// Its protocol (profiles, runs, statistics, claims) is Sources/Results/Generalization/; this file
// only starts its command line (`generalization --help`).
import Results

ResultCommand.generalization()
