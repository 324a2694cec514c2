'use strict'
// Validation of the reference payload {id, type, text (maxLength 500), ts},
// side by side: ajv compiled (allErrors, like ours), zod 4, ipcflow as the
// registry validates (JS code generated from the native plan accepts a valid
// value, lib/registry/accept.js), ipcflow's native check alone (members read
// ahead in JS, one crossing) and its native walk reading every member through
// Node-API, each of the native ones without and with the registry's size/depth
// caps (measured in the same walk), and ipcflow on a serde_json copy
// (conversion first, then the plan). An invalid payload (a string id) is timed
// too: ipcflow's pre-check declines it and the native walk reports it. Every
// competitor is called through one megamorphic call site (`callWith`).
// ajv counts code points in JS (O(length)); the native walk reads V8's UTF-16
// length in O(1), so the figures depend on the text length: both are reported.
const { Bench } = require('tinybench')
const Ajv = require('ajv')
const Ajv2020 = require('ajv/dist/2020')
const { z } = require('zod')
const binding = require('../binding.js')
const { compileSchema } = require('../lib/registry/native')
const { withReadAhead } = require('../lib/registry/read-ahead')
const { checkArgs } = require('../lib/registry/pipeline/guard')
const { createEntry, readRegistryOptions } = require('../lib/registry/options')

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

/**
 * The one call site every competitor is timed through, made megamorphic
 * first: a registry's pipeline calls many channels' validators from one site,
 * so no competitor gets inlined into the benchmark's loop.
 */
const callWith = (check, value) => check(value)
for (const f of [() => 1, () => 2, () => 3, () => 4, () => 5, () => 6]) for (let i = 0; i < 10000; i++) callWith(f, i)

/**
 * Validates with a few other channels' validators first, as an app with several
 * checked channels does: the JS front they share then calls each one's own
 * code, as in use, rather than having it inlined into the benchmark's loop.
 */
function useOtherChannels() {
  const schemas = [
    { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
    { type: 'array', prefixItems: [{ type: 'integer' }], items: false },
    { type: 'object', properties: { a: { type: 'number', minimum: 0 }, b: { type: 'boolean' } } },
    { type: 'string', maxLength: 64 },
  ]
  const values = [{ q: 'x' }, [1], { a: 1, b: true }, 'text']
  let sink = 0
  schemas.forEach((schema, i) => {
    const { validator } = compileSchema(schema)
    for (let n = 0; n < 20000; n++) sink += callWith(validator.validate, values[i]) === null ? 1 : 0
  })
  return sink
}

async function measure(textLength) {
  useOtherChannels()
  const ajv = new Ajv({ allErrors: true }).compile(SCHEMA)
  const zod = z.object({ id: z.number(), type: z.string(), text: z.string().max(500), ts: z.number() })
  const zodCheck = (value) => zod.safeParse(value).success
  const { validator: ipcflow, error } = compileSchema(SCHEMA)
  if (error) throw new Error(error.message)
  // The native check alone: read ahead, without the JS pre-check.
  const validator = withReadAhead(binding.compileSchema(SCHEMA).validator)
  if (validator.readAhead === undefined) throw new Error('the reference schema must be read ahead')
  const walk = binding.compileSchema(SCHEMA).validator
  // The caps a registry channel applies by default (maxBytes 1 MiB, maxDepth 64).
  const CAPS = { maxBytes: 1024 * 1024, maxDepth: 64 }
  const capped = compileSchema(SCHEMA, CAPS).validator
  const cappedWalk = binding.compileSchema(SCHEMA, CAPS).validator
  // Distinct objects of one shape, so that no optimizing compiler can keep a
  // check's result across the loop's iterations (all competitors read the same ones).
  const ps = Array.from({ length: PER_CALL }, (_, i) => ({ ...payload(textLength), id: i }))
  const invalids = ps.map((x) => ({ ...x, id: `x${x.id}` }))
  const p = ps[0]
  const invalid = invalids[0]
  if (ajv(invalid) || ipcflow.validate(invalid)?.[0].pointer !== '/id') throw new Error('the invalid payload must be reported at /id')
  const converted = (value) => validator.validateConverted(value)
  const valid = [ipcflow.validate(p), validator.validate(p), walk.validate(p), capped.validate(p), cappedWalk.validate(p), validator.validateConverted(p)]
  if (!ajv(p) || !zod.safeParse(p).success || valid.some((issues) => issues !== null)) {
    throw new Error('the reference payload must be valid for every validator')
  }
  let sink = 0
  const bench = new Bench({ time: 800, warmupTime: 200 })
  bench
    .add('ajv', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ajv, ps[i]) ? 1 : 0 })
    .add('zod', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(zodCheck, ps[i]) ? 1 : 0 })
    .add('ipcflow', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ipcflow.validate, ps[i]) === null ? 1 : 0 })
    .add('ajvInvalid', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ajv, invalids[i]) ? 0 : ajv.errors.length })
    .add('ipcflowInvalid', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ipcflow.validate, invalids[i]).length })
    .add('native', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(validator.validate, ps[i]) === null ? 1 : 0 })
    .add('nativeWalk', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(walk.validate, ps[i]) === null ? 1 : 0 })
    .add('nativeCapped', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(capped.validate, ps[i]) === null ? 1 : 0 })
    .add('nativeCappedWalk', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(cappedWalk.validate, ps[i]) === null ? 1 : 0 })
    .add('nativeSerde', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(converted, ps[i]) === null ? 1 : 0 })
  await bench.run()
  if (sink === 0) throw new Error('unreachable')
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { ajvNs: ns('ajv'), zodNs: ns('zod'), ipcflowNs: ns('ipcflow'), ajvInvalidNs: ns('ajvInvalid'), ipcflowInvalidNs: ns('ipcflowInvalid'), nativeNs: ns('native'), nativeWalkNs: ns('nativeWalk'), nativeCappedNs: ns('nativeCapped'), nativeCappedWalkNs: ns('nativeCappedWalk'), nativeSerdeNs: ns('nativeSerde') }
}

/** An `argsSchema` (the whole argument list), as a channel `(text, count)` would have it. */
const ARGS_SCHEMA = { type: 'array', prefixItems: [{ type: 'string', maxLength: 100 }, { type: 'integer', minimum: 0 }], items: false, minItems: 2 }

/** The argument list ['token', 42] against ARGS_SCHEMA: ajv, ipcflow, read ahead, walk. */
async function measureArgs() {
  const ajv = new Ajv2020({ allErrors: true }).compile(ARGS_SCHEMA) // prefixItems is draft 2020-12
  const ipcflow = compileSchema(ARGS_SCHEMA).validator
  const validator = withReadAhead(binding.compileSchema(ARGS_SCHEMA).validator)
  if (validator.readAhead === undefined) throw new Error('the argument list schema must be read ahead')
  const walk = binding.compileSchema(ARGS_SCHEMA).validator
  const argsList = Array.from({ length: PER_CALL }, (_, i) => ['token', i])
  const args = argsList[0]
  if (!ajv(args) || ipcflow.validate(args) !== null || validator.validate(args) !== null || walk.validate(args) !== null) throw new Error('the argument list must be valid')
  let sink = 0
  const bench = new Bench({ time: 800, warmupTime: 200 })
  bench
    .add('ajv', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ajv, argsList[i]) ? 1 : 0 })
    .add('ipcflow', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ipcflow.validate, argsList[i]) === null ? 1 : 0 })
    .add('native', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(validator.validate, argsList[i]) === null ? 1 : 0 })
    .add('nativeWalk', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(walk.validate, argsList[i]) === null ? 1 : 0 })
  await bench.run()
  if (sink === 0) throw new Error('unreachable')
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { ajvNs: ns('ajv'), ipcflowNs: ns('ipcflow'), nativeNs: ns('native'), nativeWalkNs: ns('nativeWalk') }
}

/** A uuid checked by `pattern` (as zod's `z.uuid()` exports it) beside a short text. */
const PATTERN_SCHEMA = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }, text: { type: 'string', maxLength: 500 } },
  required: ['id', 'text'],
}

/** The pattern schema: ajv (a JS RegExp), ipcflow (the pattern matched natively alone), read ahead. */
async function measurePattern() {
  const ajv = new Ajv({ allErrors: true }).compile(PATTERN_SCHEMA)
  const ipcflow = compileSchema(PATTERN_SCHEMA).validator
  const validator = withReadAhead(binding.compileSchema(PATTERN_SCHEMA).validator)
  const hex = (i) => i.toString(16).padStart(8, '0')
  const values = Array.from({ length: PER_CALL }, (_, i) => ({ id: `${hex(i)}-0000-4000-8000-${hex(i * 7)}0000`, text: 'hello world' }))
  if (values.some((v) => !ajv(v) || ipcflow.validate(v) !== null || validator.validate(v) !== null)) throw new Error('the uuid payloads must be valid')
  let sink = 0
  const bench = new Bench({ time: 800, warmupTime: 200 })
  bench
    .add('ajv', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ajv, values[i]) ? 1 : 0 })
    .add('ipcflow', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(ipcflow.validate, values[i]) === null ? 1 : 0 })
    .add('native', () => { for (let i = 0; i < PER_CALL; i++) sink += callWith(validator.validate, values[i]) === null ? 1 : 0 })
  await bench.run()
  if (sink === 0) throw new Error('unreachable')
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { ajvNs: ns('ajv'), ipcflowNs: ns('ipcflow'), nativeNs: ns('native') }
}

/**
 * The size/depth caps of a channel without a schema (the registry's defaults), on argument lists of
 * scalars (`['token', i]`): the registry's check (bounded in JS) against the native caps walk it skips.
 */
async function measureCaps() {
  const entry = createEntry('bench:caps', () => undefined, {}, readRegistryOptions().defaults)
  const { caps: { maxBytes }, listDepth } = entry
  const lists = Array.from({ length: PER_CALL }, (_, i) => ['token', i])
  if (lists.some((a) => checkArgs(entry, a) !== undefined || binding.checkLimits(a, maxBytes, listDepth) !== null)) throw new Error('the lists must be within the caps')
  let sink = 0
  const bench = new Bench({ time: 800, warmupTime: 200 })
  bench
    .add('js', () => { for (let i = 0; i < PER_CALL; i++) sink += checkArgs(entry, lists[i]) === undefined ? 1 : 0 })
    .add('native', () => { for (let i = 0; i < PER_CALL; i++) sink += binding.checkLimits(lists[i], maxBytes, listDepth) === null ? 1 : 0 })
  await bench.run()
  if (sink === 0) throw new Error('unreachable')
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { jsNs: ns('js'), nativeNs: ns('native') }
}

/**
 * Medians in ns per validation for the reference payload; `short` is the same
 * with an 11-character text; `args` an argument list against an `argsSchema`;
 * `pattern` a uuid checked by `pattern`; `caps` a channel's caps without a schema.
 */
async function runValidationBench() {
  const reference = await measure(REFERENCE_TEXT)
  const short = await measure(SHORT_TEXT)
  const args = await measureArgs()
  const pattern = await measurePattern()
  const caps = await measureCaps()
  return { ...reference, textLength: REFERENCE_TEXT, short: { ...short, textLength: SHORT_TEXT }, args, pattern, caps }
}

module.exports = { runValidationBench, SCHEMA, payload, REFERENCE_TEXT, SHORT_TEXT }

if (require.main === module) {
  runValidationBench().then((r) => {
    const row = (label, s) => console.log(`| ${label} | ${s.ajvNs.toFixed(0)} | ${s.zodNs.toFixed(0)} | ${s.ipcflowNs.toFixed(0)} | ${(s.ipcflowNs / s.ajvNs).toFixed(2)}x | ${s.ajvInvalidNs.toFixed(0)} | ${s.ipcflowInvalidNs.toFixed(0)} | ${s.nativeNs.toFixed(0)} | ${s.nativeWalkNs.toFixed(0)} | ${s.nativeCappedNs.toFixed(0)} | ${s.nativeCappedWalkNs.toFixed(0)} | ${s.nativeSerdeNs.toFixed(0)} | ${(s.nativeNs / s.ajvNs).toFixed(2)}x |`)
    console.log('| payload | ajv ns | zod 4 ns | ipcflow ns | ipcflow / ajv | invalid: ajv ns | invalid: ipcflow ns | native, read ahead ns | native walk ns | read ahead with caps ns | walk with caps ns | native via serde ns | read ahead / ajv |')
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    row(`reference (text ${r.textLength} chars)`, r)
    row(`short (text ${r.short.textLength} chars)`, r.short)
    console.log(`uuid by pattern: ajv ${r.pattern.ajvNs.toFixed(0)} ns, ipcflow ${r.pattern.ipcflowNs.toFixed(0)} ns, read ahead ${r.pattern.nativeNs.toFixed(0)} ns`)
    console.log(`argument list ['token', 42]: ajv ${r.args.ajvNs.toFixed(0)} ns, ipcflow ${r.args.ipcflowNs.toFixed(0)} ns, read ahead ${r.args.nativeNs.toFixed(0)} ns, walk ${r.args.nativeWalkNs.toFixed(0)} ns`)
  })
}
