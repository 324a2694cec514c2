'use strict'
// The dependency graph checks of StartupSequencer: every dependency exists and
// there is no cycle. Errors name the component and the cycle.
const { MissingDependencyError, StartupCycleError } = require('../errors')

/** Throws for a missing dependency or a cycle among `components` (name -> { dependsOn }). */
function checkGraph(components) {
  for (const [name, c] of components) {
    for (const dependency of c.dependsOn) {
      if (!components.has(dependency)) {
        throw new MissingDependencyError(`Startup component '${name}' depends on '${dependency}', which was never added`, { component: name, dependency })
      }
    }
  }
  const DONE = 2
  const VISITING = 1
  const state = new Map()
  const path = []
  // Iterative DFS: a long dependency chain must not overflow the stack.
  for (const root of components.keys()) {
    if (state.get(root) === DONE) continue
    const stack = [[root, 0]]
    state.set(root, VISITING)
    path.push(root)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const deps = components.get(top[0]).dependsOn
      if (top[1] < deps.length) {
        const next = deps[top[1]++]
        const s = state.get(next)
        if (s === VISITING) {
          const cycle = [...path.slice(path.indexOf(next)), next]
          throw new StartupCycleError(`Startup components depend on each other in a cycle: ${cycle.join(' -> ')}`, { cycle })
        }
        if (s !== DONE) {
          state.set(next, VISITING)
          path.push(next)
          stack.push([next, 0])
        }
      } else {
        state.set(top[0], DONE)
        path.pop()
        stack.pop()
      }
    }
  }
}

/**
 * The chain that decided the total time: from the component that ended last,
 * follow the dependency that ended last (the one it waited for), back to a root.
 */
function criticalPath(entries) {
  const byName = new Map(entries.map((e) => [e.name, e]))
  let last
  for (const e of entries) if (e.endMs !== undefined && (last === undefined || e.endMs > last.endMs)) last = e
  const chain = []
  while (last !== undefined) {
    chain.push(last.name)
    let gate
    for (const d of last.dependsOn) {
      const e = byName.get(d)
      if (e !== undefined && e.endMs !== undefined && (gate === undefined || e.endMs > gate.endMs)) gate = e
    }
    last = gate
  }
  return chain.reverse()
}

module.exports = { checkGraph, criticalPath }
