import Testing
import TestSupport
import Autodiff
@testable import Teleport

@Suite(.enabled(if: Golden.load("group_action.json") != nil, Comment(rawValue: Golden.missing("group_action.json"))))
struct GroupActionGoldenTests {
    let g = Golden.load("group_action.json")!

    @Test func identityPlusT() {
        let out = groupAction(identityPlus: Variable(g.mat("T")), U: Variable(g.mat("U")),
                              V: Variable(g.mat("V")), h: Variable(g.mat("X")))
        #expect(relativeError(out.U.value, g.mat("identity_plus_T/U_out")) < 1e-9)
        #expect(relativeError(out.V.value, g.mat("identity_plus_T/V_out")) < 1e-9)
    }

    @Test func generalG() {
        let out = groupAction(Variable(g.mat("g")), U: Variable(g.mat("U")),
                              V: Variable(g.mat("V")), h: Variable(g.mat("X")))
        #expect(relativeError(out.U.value, g.mat("general_g/U_out")) < 1e-9)
        #expect(relativeError(out.V.value, g.mat("general_g/V_out")) < 1e-9)
    }

    @Test func exponentialCurve() {
        let out = groupAction(exp: Variable(g.double("t")!), M: Variable(g.mat("M")),
                              U: Variable(g.mat("U")), V: Variable(g.mat("V")), h: Variable(g.mat("X")))
        #expect(relativeError(out.U.value, g.mat("exp_tM/U_out")) < 1e-9)
        #expect(relativeError(out.V.value, g.mat("exp_tM/V_out")) < 1e-9)
    }
}

@Suite(.enabled(if: Golden.load("teleport_gradient_norm.json") != nil,
                Comment(rawValue: Golden.missing("teleport_gradient_norm.json"))))
struct GradientNormTeleportGoldenTests {
    let g = Golden.load("teleport_gradient_norm.json")!
    var objective: Objective<Double> { .classification(labels: g.labels("Y")) }

    @Test func lossAndGradientNormBefore() {
        let (L, grads) = lossAndGradient(g.mats("W"), g.mat("X"), objective)
        #expect(relativeError(L, g.double("loss_before")!) < 1e-12)
        let f = grads.reduce(0) { $0 + $1.dot($1) }
        #expect(relativeError(f, g.double("grad_norm_sq_before")!) < 1e-10)
    }

    @Test func ascentDirectionAtIdentity() {
        let r = GradientNormTeleport.ascentDirection(g.mats("W"), input: g.mat("X"), objective)
        #expect(relativeError(r.direction, g.mats("grad_T_at_identity")) < 1e-9)
    }

    @Test func threeStepsMatchReference() {
        var W = g.mats("W")
        let steps = g["steps"] as! [[String: Any]]
        let teleport = GradientNormTeleport(steps: 1, learningRate: g.double("lr_teleport")!, cap: .infinity)
        for (i, step) in steps.enumerated() {
            W = teleport(W, input: g.mat("X"), objective).weights
            let expected = (step["W"] as! [Any]).map { matrix(Golden.matrix($0)!) }
            #expect(relativeError(W, expected) < 1e-9, "step \(i)")
            let (L, grads) = lossAndGradient(W, g.mat("X"), objective)
            #expect(relativeError(L, (step["loss"] as! Double)) < 1e-9, "step \(i) loss")
            let f = grads.reduce(0) { $0 + $1.dot($1) }
            #expect(relativeError(f, (step["grad_norm_sq"] as! Double)) < 1e-9, "step \(i) |grad|^2")
        }
    }
}
