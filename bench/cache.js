'use strict'
// Response cache (README "Response cache"):
// - the key: a canonical string built in JS then looked up natively (what the
//   registry uses) vs a native hash walk of the argument list (cacheGetArgs),
//   both on a hit, for a small and a medium argument list;
// - a cached-hit registry.invoke vs the same hit written in JS with lru-cache
//   and a JSON.stringify key (SPEC target <= 1.2x);
// - what a hit costs once no caller can change another's answer (README
//   "Response cache"): plain data is one frozen object for every hit, a typed
//   array is copied per hit (with the objects on its path); against lru-cache
//   inside the handler (one shared, mutable object) and lru-cache with a
//   structuredClone per hit (what an app must write for the same guarantee);
// - single-flight: handler calls under 100 concurrent identical invokes.
const { Bench } = require('tinybench')
const { LRUCache } = require('lru-cache')
const { HandlerRegistry } = require('..')
const { BindingResponseCache, cacheGet, cacheGetArgs } = require('../lib/registry/native-cache')
const { argsKey } = require('../lib/registry/cache-key')
const { median, medianInterval, rotation } = require('./stats')

const PER_CALL = 200
const SHAPES = {
  small: ['user-42'],
  medium: [{ id: 42, filter: { status: 'open', tags: ['a', 'b'], since: 1700000000000 }, page: 3, sort: 'desc' }],
}

const perCall = (bench, name) => {
  const task = bench.getTask(name)
  if (task.result.error) throw task.result.error
  return (task.result.latency.p50 * 1e6) / PER_CALL
}

async function keyBench(time, warmupTime) {
  const out = {}
  for (const [shape, args] of Object.entries(SHAPES)) {
    const native = new BindingResponseCache(undefined, 1000, undefined)
    native.insert(`a${argsKey(args)}`, 0)
    native.insertArgs(args, 0)
    let sink = 0
    const bench = new Bench({ time, warmupTime })
    bench
      .add('js string', () => {
        for (let i = 0; i < PER_CALL; i++) sink += cacheGet(native.handle, `a${argsKey(args)}`)
      })
      .add('native walk', () => {
        for (let i = 0; i < PER_CALL; i++) sink += cacheGetArgs(native.handle, args)
      })
      .add('JSON.stringify (not canonical, reference)', () => {
        for (let i = 0; i < PER_CALL; i++) sink += cacheGet(native.handle, JSON.stringify(args))
      })
    await bench.run()
    if (sink === 0) throw new Error('unreachable')
    out[shape] = {
      jsStringNs: perCall(bench, 'js string'),
      nativeWalkNs: perCall(bench, 'native walk'),
      jsonNs: perCall(bench, 'JSON.stringify (not canonical, reference)'),
    }
  }
  return out
}

// Per-invoke ns of `count` awaited calls of `call`.
async function timeCalls(call, count) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < count; i++) await call()
  return Number(process.hrtime.bigint() - start) / count
}

// The variants run interleaved, round after round (order rotated), and the
// ratios are taken per round: a load spike on this shared VM then lands on
// every variant of its round instead of on whichever one tinybench ran then.
// The values of the sharing rows: plain data, and the same with a typed
// array small enough for V8's on-heap storage and one that is not.
const VALUES = {
  plain: (q) => ({ id: q.id, rows: [1, 2, 3] }),
  bytes64: (q) => ({ id: q.id, rows: [1, 2, 3], bytes: new Uint8Array(64) }),
  bytes16k: (q) => ({ id: q.id, rows: [1, 2, 3], bytes: new Uint8Array(16 * 1024) }),
}

async function hitBench(rounds, callsPerRound) {
  const args = SHAPES.medium
  const handler = VALUES.plain
  const registry = new HandlerRegistry()
  const cache = { ttlMs: 60_000, maxEntries: 1000 }
  registry.register('bench:cached', handler, { cache })
  registry.register('bench:plain', handler)
  const lru = new LRUCache({ max: 1000, ttl: 60_000 })
  // The same cache written by an app: lru-cache and a JSON key inside the handler;
  // `clone`: a structuredClone per hit, so a caller cannot change the next one's answer.
  const appCache = (name, make, clone) => {
    const own = new LRUCache({ max: 1000, ttl: 60_000 })
    registry.register(name, (...list) => {
      const key = JSON.stringify(list.slice(0, -1))
      let data = own.get(key)
      if (data === undefined) {
        data = make(...list)
        own.set(key, data)
      }
      return clone ? structuredClone(data) : data
    })
  }
  appCache('bench:lru', handler, false)
  for (const [name, make] of Object.entries(VALUES)) {
    if (name !== 'plain') registry.register(`bench:cached:${name}`, make, { cache })
    appCache(`bench:lru:${name}`, make, false)
    appCache(`bench:lru+clone:${name}`, make, true)
  }
  // The same hit in JS: key, lookup, envelope.
  const jsInvoke = async (channel, list) => {
    const start = performance.now()
    const key = channel + JSON.stringify(list)
    let data = lru.get(key)
    if (data === undefined) {
      data = await handler(...list)
      lru.set(key, data)
    }
    return { success: true, data, metadata: { executionTimeMs: performance.now() - start, cached: true } }
  }
  let sink = 0
  const variants = {
    lru: async () => (sink += (await jsInvoke('bench:cached', args)).data.id),
    hit: async () => (sink += (await registry.invoke('bench:cached', args)).data.id),
    app: async () => (sink += (await registry.invoke('bench:lru', args)).data.id),
    uncached: async () => (sink += (await registry.invoke('bench:plain', args)).data.id),
  }
  for (const name of Object.keys(VALUES)) {
    const cached = name === 'plain' ? 'bench:cached' : `bench:cached:${name}`
    variants[`hit:${name}`] = async () => (sink += (await registry.invoke(cached, args)).data.id)
    variants[`lru:${name}`] = async () => (sink += (await registry.invoke(`bench:lru:${name}`, args)).data.id)
    variants[`clone:${name}`] = async () => (sink += (await registry.invoke(`bench:lru+clone:${name}`, args)).data.id)
  }
  const names = Object.keys(variants)
  for (const name of names) await timeCalls(variants[name], callsPerRound) // warm-up, and the first miss
  const ns = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of rotation(names, round)) ns[name].push(await timeCalls(variants[name], callsPerRound))
  }
  const stats = registry.getCacheStats()['bench:cached']
  await registry.close()
  if (sink === 0) throw new Error('unreachable')
  const perRound = (a, b) => ns[a].map((x, i) => x / ns[b][i])
  const ratios = perRound('hit', 'app')
  const bare = perRound('hit', 'lru')
  const sharing = Object.keys(VALUES).map((name) => {
    const vsLru = perRound(`hit:${name}`, `lru:${name}`)
    const vsClone = perRound(`hit:${name}`, `clone:${name}`)
    return {
      name,
      hitNs: median(ns[`hit:${name}`]),
      lruNs: median(ns[`lru:${name}`]),
      cloneNs: median(ns[`clone:${name}`]),
      vsLru: median(vsLru),
      vsLruCi: medianInterval(vsLru),
      vsClone: median(vsClone),
      vsCloneCi: medianInterval(vsClone),
    }
  })
  return {
    sharing,
    rounds,
    callsPerRound,
    lruNs: median(ns.lru),
    hitNs: median(ns.hit),
    appNs: median(ns.app),
    uncachedNs: median(ns.uncached),
    ratio: median(ratios),
    ratioCi: medianInterval(ratios),
    bareRatio: median(bare),
    hitRate: stats.hitRate,
  }
}

async function singleFlight() {
  const registry = new HandlerRegistry()
  let calls = 0
  registry.register('bench:sf', async () => {
    calls++
    await new Promise((resolve) => setTimeout(resolve, 10))
    return 1
  }, { cache: { ttlMs: 60_000 } })
  const envelopes = await Promise.all(Array.from({ length: 100 }, () => registry.invoke('bench:sf', [{ q: 1 }])))
  await registry.close()
  return { callers: 100, handlerCalls: calls, answered: envelopes.filter((e) => e.success).length }
}

async function runCacheBench({ time = 1000, warmupTime = 200, rounds = 21, callsPerRound = 2000 } = {}) {
  return { keys: await keyBench(time, warmupTime), hit: await hitBench(rounds, callsPerRound), singleFlight: await singleFlight() }
}

function cacheMarkdown(r) {
  const f = (ns) => `${ns.toFixed(0)} ns`
  const lines = [
    '## Response cache',
    '',
    'Key on a hit (per lookup, p50): canonical string in JS + native lookup (used) vs a native hash walk of the arguments.',
    '',
    '| arguments | JS canonical string + cacheGet | native hash walk (cacheGetArgs) | JSON.stringify + cacheGet (not canonical) |',
    '|---|---|---|---|',
    ...Object.entries(r.keys).map(([shape, k]) => `| ${shape} | ${f(k.jsStringNs)} | ${f(k.nativeWalkNs)} | ${f(k.jsonNs)} |`),
    '',
    `Cached hit, medium arguments (per invoke; ${r.hit.rounds} interleaved rounds of ${r.hit.callsPerRound} awaited invokes per variant, ` +
      `medians; the ratio is the median of per-round ratios with its 95% confidence interval): registry cache hit ${f(r.hit.hitNs)}; ` +
      `the same registry channel with lru-cache + a JSON key inside the handler ${f(r.hit.appNs)} ` +
      `(ratio ${r.hit.ratio.toFixed(2)}x [${r.hit.ratioCi[0].toFixed(2)}, ${r.hit.ratioCi[1].toFixed(2)}], target <= 1.2x: ${r.hit.ratio <= 1.2 ? 'met' : '**missed**'}); ` +
      `the registry without a cache ${f(r.hit.uncachedNs)}; bare lru-cache + JSON key + envelope, no pipeline, ${f(r.hit.lruNs)} (${r.hit.bareRatio.toFixed(2)}x).`,
    'Both registry lines run the whole pipeline (sender check, size cap walk, rate limit, metrics, envelope); the hit adds the canonical key and a moka lookup.',
    '',
    'A hit that no caller can change for another (same run, same rounds, per invoke, medians; ratios are medians of per-round ratios with 95% confidence intervals). ' +
      'The registry hands plain data out as one deep-frozen object and copies a typed array per hit, with the objects on its path; ' +
      'lru-cache inside the handler returns one shared, mutable object (a caller can change the next answer); with a structuredClone per hit it cannot.',
    '',
    '| value (medium arguments) | registry hit | lru-cache in the handler (shared, mutable) | lru-cache + structuredClone per hit | registry / lru-cache | registry / lru-cache + clone |',
    '|---|---|---|---|---|---|',
    ...r.hit.sharing.map((x) => {
      const ci = (c) => `[${c[0].toFixed(2)}, ${c[1].toFixed(2)}]`
      const label = { plain: '`{ id, rows: [1, 2, 3] }`', bytes64: 'same + `bytes: Uint8Array(64)`', bytes16k: 'same + `bytes: Uint8Array(16384)`' }[x.name]
      return `| ${label} | ${f(x.hitNs)} | ${f(x.lruNs)} | ${f(x.cloneNs)} | ${x.vsLru.toFixed(2)}x ${ci(x.vsLruCi)} | ${x.vsClone.toFixed(2)}x ${ci(x.vsCloneCi)} |`
    }),
    '',
    `Single-flight: ${r.singleFlight.callers} concurrent identical invokes, handler calls: ${r.singleFlight.handlerCalls}, answered: ${r.singleFlight.answered}.`,
    '',
  ]
  return lines.join('\n')
}

module.exports = { runCacheBench, cacheMarkdown }

if (require.main === module) {
  runCacheBench().then((r) => console.log(cacheMarkdown(r)), (e) => {
    console.error(e)
    process.exitCode = 1
  })
}
