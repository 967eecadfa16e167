// Reverse-mode differentiation over the graph of `Variable`s: gradients (of any order),
// Jacobian-vector products by the double-VJP trick, and derivatives of matrix-valued
// functions of a scalar.

/// Gradients of `y` with respect to each of `wrt`.
///
/// - Parameters:
///   - y: the output; a 1 x 1 loss unless `seed` is given.
///   - wrt: the variables to differentiate with respect to (usually leaves made with
///     `requiresGrad: true`; any variable of the graph works).
///   - seed: the cotangent dL/dy (shape of y) for a vector-Jacobian product; default 1 for a
///     1 x 1 output.
///   - createGraph: when true the gradients are themselves differentiable (recorded with
///     their dependence on the inputs and on `seed`), for gradients of gradients; when false
///     they are constants and no graph is kept.
/// - Returns: one gradient per `wrt` entry, of its shape; zeros where y does not depend on it
///   (constants, made without `requiresGrad`, always get zeros).
///
/// Without a graph, the gradient of a weight shared by many products is formed as one stacked
/// product (`SharedProductGradients`, an optimisation beside this sweep).
@inlinable
public func grad<Scalar>(of y: Variable<Scalar>, wrt: [Variable<Scalar>],
                         seed: Variable<Scalar>? = nil,
                         createGraph: Bool = false) -> [Variable<Scalar>] {
    let seed = seed ?? {
        ensure(y.rows == 1 && y.cols == 1,
               "grad of a \(y.rows)x\(y.cols) output needs a seed (the cotangent)")
        return Variable(Matrix<Scalar>.scalar(1))
    }()
    ensure(seed.rows == y.rows && seed.cols == y.cols, "seed shape differs from the output's")

    // Nodes that lie on a path from some target to y, inputs before outputs.
    let targets = Set(wrt.map(ObjectIdentifier.init))
    var relevant = Set<ObjectIdentifier>()
    var order: [Variable<Scalar>] = []
    for node in topologicalOrder(from: y) {
        let id = ObjectIdentifier(node)
        if targets.contains(id) || node.inputs.contains(where: { relevant.contains(ObjectIdentifier($0)) }) {
            relevant.insert(id)
            order.append(node)
        }
    }

    // Without a graph, a weight shared by many products gets its gradient as one stacked product.
    var shared = createGraph ? nil : SharedProductGradients(order: order, targets: targets)

    // Accumulate gradients from y back to the targets.
    var grads: [ObjectIdentifier: Variable<Scalar>] = [:]
    if relevant.contains(ObjectIdentifier(y)) {
        grads[ObjectIdentifier(y)] = createGraph ? seed : seed.detached()
    }
    for node in order.reversed() {
        guard let pullback = node.pullback, let g = grads[ObjectIdentifier(node)] else { continue }
        var needs = node.inputs.map { relevant.contains(ObjectIdentifier($0)) }
        if shared?.absorb(node, gradient: g) == true { needs[1] = false }
        // Without a graph, the rule runs on detached copies: every op it performs is on
        // constants, so nothing is recorded.
        let inputGrads = !needs.contains(true) ? [] : createGraph
            ? pullback(g, node.inputs, node, needs)
            : pullback(g.detached(), node.inputs.map { $0.detached() }, node.detached(), needs)
        for (i, input) in node.inputs.enumerated() where needs[i] {
            guard let gi = inputGrads[i] else { continue }
            ensure(gi.rows == input.rows && gi.cols == input.cols,
                   "pullback returned a \(gi.rows)x\(gi.cols) gradient for a \(input.rows)x\(input.cols) input")
            let id = ObjectIdentifier(input)
            if let previous = grads[id] {
                grads[id] = createGraph ? previous + gi : Variable(previous.value + gi.value)
            } else {
                grads[id] = gi
            }
        }
        // Free intermediate gradients as soon as they are consumed (targets are kept).
        if !targets.contains(ObjectIdentifier(node)) { grads[ObjectIdentifier(node)] = nil }
    }
    shared?.addSums(to: &grads)
    return wrt.map { x in
        let g = grads[ObjectIdentifier(x)] ?? Variable(Matrix.zeros(x.rows, x.cols))
        return createGraph ? g : g.detached()
    }
}

/// The gradient of `y` with respect to one variable (see `grad(of:wrt:seed:createGraph:)`).
@inlinable
public func grad<Scalar>(of y: Variable<Scalar>, wrt x: Variable<Scalar>,
                         seed: Variable<Scalar>? = nil, createGraph: Bool = false) -> Variable<Scalar> {
    grad(of: y, wrt: [x], seed: seed, createGraph: createGraph)[0]
}

/// The variables y depends on through gradient-requiring paths, each after its inputs
/// (iterative depth-first search, so deep graphs do not exhaust the stack).
@inlinable
func topologicalOrder<Scalar>(from root: Variable<Scalar>) -> [Variable<Scalar>] {
    var order: [Variable<Scalar>] = []
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    var stack: [(node: Variable<Scalar>, next: Int)] = [(root, 0)]
    while let (node, next) = stack.last {
        if next < node.inputs.count {
            stack[stack.count - 1].next += 1
            let child = node.inputs[next]
            if child.requiresGrad && visited.insert(ObjectIdentifier(child)).inserted {
                stack.append((child, 0))
            }
        } else {
            order.append(node)
            stack.removeLast()
        }
    }
    return order
}

/// The value of a scalar function of the given parameters and its gradient with respect to
/// them (the training step's workhorse).
@inlinable
public func valueWithGradient<Scalar>(at parameters: [Matrix<Scalar>],
                                      of f: ([Variable<Scalar>]) -> Variable<Scalar>)
    -> (value: Scalar, gradient: [Matrix<Scalar>]) {
    let xs = parameters.map { Variable($0, requiresGrad: true) }
    let y = f(xs)
    return (y.scalar, grad(of: y, wrt: xs).map(\.value))
}

/// Jacobian-vector product: the directional derivative of `y` (any shape) along `tangents`
/// of `wrt`, i.e. sum_i (dy/dx_i)[v_i], of y's shape.
///
/// Computed by the double-VJP trick: u -> J^T u is linear in a dummy cotangent u, and the
/// gradient of <J^T u, v> with respect to u is J v. With `createGraph` the result can be
/// differentiated again (for example a second derivative along a curve).
@inlinable
public func jvp<Scalar>(of y: Variable<Scalar>, wrt: [Variable<Scalar>], tangents: [Variable<Scalar>],
                        createGraph: Bool = false) -> Variable<Scalar> {
    ensure(wrt.count == tangents.count, "one tangent per variable")
    let u = Variable(Matrix<Scalar>.zeros(y.rows, y.cols), requiresGrad: true)
    let vjps = grad(of: y, wrt: wrt, seed: u, createGraph: true)
    let pairing = sum(zip(vjps, tangents).map { $0.dot($1) })
    return grad(of: pairing, wrt: [u], createGraph: createGraph)[0]
}

/// The derivative dy/dt of a matrix-valued `y` with respect to a 1 x 1 variable `t` (the
/// Jacobian of a function of one scalar), of y's shape. With `createGraph` it can be
/// differentiated again, e.g. `jacobian(of: jacobian(of: y, wrt: t, createGraph: true), wrt: t)`
/// is d2y/dt2.
@inlinable
public func jacobian<Scalar>(of y: Variable<Scalar>, wrt t: Variable<Scalar>,
                             createGraph: Bool = false) -> Variable<Scalar> {
    ensure(t.rows == 1 && t.cols == 1, "jacobian(of:wrt:) differentiates with respect to a 1x1 variable")
    return jvp(of: y, wrt: [t], tangents: [Variable(Matrix.scalar(1))], createGraph: createGraph)
}
