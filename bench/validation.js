'use strict'
// Validation of the reference payload {id, type, text (maxLength 500), ts},
// side by side: ajv compiled (allErrors, like ours), zod 4, ipcflow as the
// registry validates (members read ahead in JS, one crossing) and ipcflow's
// native walk reading every member through Node-API, each without and with the
// registry's size/depth caps (measured in the same walk), and ipcflow on a
// serde_json copy (conversion first, then the plan).
// ajv counts code points in JS (O(length)); the native walk reads V8's UTF-16
// length in O(1), so the figures depend on the text length: both are reported.
const { Bench } = require('tinybench')
const Ajv = require('ajv')
const Ajv2020 = require('ajv/dist/2020')
const { z } = require('zod')
const binding = require('../binding.js')
const { compileSchema } = require('../lib/registry/native')

const PER_CALL = 200
const SCHEMA = {
  type: 'object',
  properties: { id: { type: 'number' }, type: { type: 'string' }, text: { type: 'string', maxLength: 500 }, ts: { type: 'number' } },
  required: ['id', 'type', 'text', 'ts'],
}
/** Text length of the reference payload (near the maxLength cap, where ajv is slowest: a long string is what its check walks). */
const REFERENCE_TEXT = 480
const SHORT_TEXT = 11

function payload(textLength) {
  return { id: 1, type: 'token', text: 'abcdefghij'.repeat(Math.ceil(textLength / 10)).slice(0, textLength), ts: 1700000000000 }
}

async function measure(textLength) {
  const ajv = new Ajv({ allErrors: true }).compile(SCHEMA)
  const zod = z.object({ id: z.number(), type: z.string(), text: z.string().max(500), ts: z.number() })
  const { validator, error } = compileSchema(SCHEMA)
  if (error) throw new Error(error.message)
  if (validator.readAhead === undefined) throw new Error('the reference schema must be read ahead')
  const walk = binding.compileSchema(SCHEMA).validator
  // The caps a registry channel applies by default (maxBytes 1 MiB, maxDepth 64).
  const CAPS = { maxBytes: 1024 * 1024, maxDepth: 64 }
  const capped = compileSchema(SCHEMA, CAPS).validator
  const cappedWalk = binding.compileSchema(SCHEMA, CAPS).validator
  const p = payload(textLength)
  const valid = [validator.validate(p), walk.validate(p), capped.validate(p), cappedWalk.validate(p), validator.validateConverted(p)]
  if (!ajv(p) || !zod.safeParse(p).success || valid.some((issues) => issues !== null)) {
    throw new Error('the reference payload must be valid for every validator')
  }
  let sink = 0
  const bench = new Bench({ time: 800, warmupTime: 200 })
  bench
    .add('ajv', () => { for (let i = 0; i < PER_CALL; i++) sink += ajv(p) ? 1 : 0 })
    .add('zod', () => { for (let i = 0; i < PER_CALL; i++) sink += zod.safeParse(p).success ? 1 : 0 })
    .add('native', () => { for (let i = 0; i < PER_CALL; i++) sink += validator.validate(p) === null ? 1 : 0 })
    .add('nativeWalk', () => { for (let i = 0; i < PER_CALL; i++) sink += walk.validate(p) === null ? 1 : 0 })
    .add('nativeCapped', () => { for (let i = 0; i < PER_CALL; i++) sink += capped.validate(p) === null ? 1 : 0 })
    .add('nativeCappedWalk', () => { for (let i = 0; i < PER_CALL; i++) sink += cappedWalk.validate(p) === null ? 1 : 0 })
    .add('nativeSerde', () => { for (let i = 0; i < PER_CALL; i++) sink += validator.validateConverted(p) === null ? 1 : 0 })
  await bench.run()
  if (sink === 0) throw new Error('unreachable')
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { ajvNs: ns('ajv'), zodNs: ns('zod'), nativeNs: ns('native'), nativeWalkNs: ns('nativeWalk'), nativeCappedNs: ns('nativeCapped'), nativeCappedWalkNs: ns('nativeCappedWalk'), nativeSerdeNs: ns('nativeSerde') }
}

/** An `argsSchema` (the whole argument list), as a channel `(text, count)` would have it. */
const ARGS_SCHEMA = { type: 'array', prefixItems: [{ type: 'string', maxLength: 100 }, { type: 'integer', minimum: 0 }], items: false, minItems: 2 }

/** The argument list ['token', 42] against ARGS_SCHEMA: ajv, read ahead, walk. */
async function measureArgs() {
  const ajv = new Ajv2020({ allErrors: true }).compile(ARGS_SCHEMA) // prefixItems is draft 2020-12
  const { validator } = compileSchema(ARGS_SCHEMA)
  if (validator.readAhead === undefined) throw new Error('the argument list schema must be read ahead')
  const walk = binding.compileSchema(ARGS_SCHEMA).validator
  const args = ['token', 42]
  if (!ajv(args) || validator.validate(args) !== null || walk.validate(args) !== null) throw new Error('the argument list must be valid')
  let sink = 0
  const bench = new Bench({ time: 800, warmupTime: 200 })
  bench
    .add('ajv', () => { for (let i = 0; i < PER_CALL; i++) sink += ajv(args) ? 1 : 0 })
    .add('native', () => { for (let i = 0; i < PER_CALL; i++) sink += validator.validate(args) === null ? 1 : 0 })
    .add('nativeWalk', () => { for (let i = 0; i < PER_CALL; i++) sink += walk.validate(args) === null ? 1 : 0 })
  await bench.run()
  if (sink === 0) throw new Error('unreachable')
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { ajvNs: ns('ajv'), nativeNs: ns('native'), nativeWalkNs: ns('nativeWalk') }
}

/**
 * Medians in ns per validation for the reference payload; `short` is the same
 * with an 11-character text; `args` an argument list against an `argsSchema`.
 */
async function runValidationBench() {
  const reference = await measure(REFERENCE_TEXT)
  const short = await measure(SHORT_TEXT)
  const args = await measureArgs()
  return { ...reference, textLength: REFERENCE_TEXT, short: { ...short, textLength: SHORT_TEXT }, args }
}

module.exports = { runValidationBench, SCHEMA, payload, REFERENCE_TEXT, SHORT_TEXT }

if (require.main === module) {
  runValidationBench().then((r) => {
    const row = (label, s) => console.log(`| ${label} | ${s.ajvNs.toFixed(0)} | ${s.zodNs.toFixed(0)} | ${s.nativeNs.toFixed(0)} | ${s.nativeWalkNs.toFixed(0)} | ${s.nativeCappedNs.toFixed(0)} | ${s.nativeCappedWalkNs.toFixed(0)} | ${s.nativeSerdeNs.toFixed(0)} | ${(s.nativeNs / s.ajvNs).toFixed(2)}x |`)
    console.log('| payload | ajv ns | zod 4 ns | native, read ahead ns | native walk ns | read ahead with caps ns | walk with caps ns | native via serde ns | read ahead / ajv |')
    console.log('|---|---|---|---|---|---|---|---|---|')
    row(`reference (text ${r.textLength} chars)`, r)
    row(`short (text ${r.short.textLength} chars)`, r.short)
    console.log(`argument list ['token', 42]: ajv ${r.args.ajvNs.toFixed(0)} ns, read ahead ${r.args.nativeNs.toFixed(0)} ns, walk ${r.args.nativeWalkNs.toFixed(0)} ns`)
  })
}
