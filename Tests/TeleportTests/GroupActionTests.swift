import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import Model

@Suite(.requires(.golden("group_action.json")))
struct GroupActionGoldenTests {
    let g: Golden, U: Variable<Double>, V: Variable<Double>, X: Variable<Double>

    init() throws {
        g = try Golden.load("group_action.json")
        U = Variable(try g.mat("U")); V = Variable(try g.mat("V")); X = Variable(try g.mat("X"))
    }

    @Test func identityPlusT() throws {
        let out = groupAction(identityPlus: Variable(try g.mat("T")), U: U, V: V, h: X)
        #expect(try relativeError(out.U.value, g.mat("identity_plus_T/U_out")) < 1e-9)
        #expect(try relativeError(out.V.value, g.mat("identity_plus_T/V_out")) < 1e-9)
    }

    @Test func generalG() throws {
        let out = groupAction(Variable(try g.mat("g")), U: U, V: V, h: X)
        #expect(try relativeError(out.U.value, g.mat("general_g/U_out")) < 1e-9)
        #expect(try relativeError(out.V.value, g.mat("general_g/V_out")) < 1e-9)
    }

    @Test func exponentialCurve() throws {
        let out = groupAction(exp: Variable(try g.double("t")), M: Variable(try g.mat("M")), U: U, V: V, h: X)
        #expect(try relativeError(out.U.value, g.mat("exp_tM/U_out")) < 1e-9)
        #expect(try relativeError(out.V.value, g.mat("exp_tM/V_out")) < 1e-9)
    }
}

@Suite(.requires(.golden("teleport_gradient_norm.json")))
struct GradientNormTeleportGoldenTests {
    let g: Golden, objective: Objective<Double>, W: [Matrix<Double>], X: Matrix<Double>

    init() throws {
        g = try Golden.load("teleport_gradient_norm.json")
        objective = .classification(labels: try g.labels("Y"))
        W = try g.mats("W")
        X = try g.mat("X")
    }

    @Test func lossAndGradientNormBefore() throws {
        let (L, grads) = lossAndGradient(W, X, objective)
        #expect(try relativeError(L, g.double("loss_before")) < 1e-12)
        let f = grads.reduce(0) { $0 + $1.dot($1) }
        #expect(try relativeError(f, g.double("grad_norm_sq_before")) < 1e-10)
    }

    @Test func ascentDirectionAtIdentity() throws {
        let r = GradientNormTeleport.ascentDirection(W, input: X, objective)
        #expect(try relativeError(r.direction, g.mats("grad_T_at_identity")) < 1e-9)
    }

    @Test func threeStepsMatchReference() throws {
        var W = self.W
        let teleport = GradientNormTeleport(steps: 1, learningRate: try g.double("lr_teleport"), cap: .infinity)
        for i in try g.list("steps").indices {
            W = teleport(W, input: X, objective).weights
            #expect(try relativeError(W, g.mats("steps/\(i)/W")) < 1e-9, "step \(i)")
            let (L, grads) = lossAndGradient(W, X, objective)
            #expect(try relativeError(L, g.double("steps/\(i)/loss")) < 1e-9, "step \(i) loss")
            let f = grads.reduce(0) { $0 + $1.dot($1) }
            #expect(try relativeError(f, g.double("steps/\(i)/grad_norm_sq")) < 1e-9, "step \(i) |grad|^2")
        }
    }
}
