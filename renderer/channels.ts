/**
 * Typed channels (types only; main and renderer both use them). An app declares
 * its channels once:
 *
 *   interface Channels {
 *     'db:search': { args: [query: { q: string }]; result: Hit[] }   // renderer -> main request
 *     'agent:token': { message: Token }                              // main -> renderer message
 *     'logs:tail': { args: [{ level: string }]; item: LogLine }     // a registerStream channel
 *   }
 *   const registry = new HandlerRegistry<Channels>()       // register / invoke are checked
 *   const batcher = new BatchManager<Channels>()           // addMessage is checked
 *   const client = createRendererClient<Channels>(ipcRenderer)  // on / invoke are checked
 *
 * or derives them from Zod schemas with `InferChannels`. Without a map (the
 * default) every channel is a string and payloads are `unknown`, as before.
 */

/** One channel: `args`/`result` for a request, `message` for what main sends. */
export interface ChannelSpec {
  /** The request's argument list (a tuple). Omitted: no arguments. */
  args?: readonly unknown[]
  /** What the handler returns (a Promise's value); `invoke` resolves with it. */
  result?: unknown
  /** The payload of a main -> renderer message on this channel. */
  message?: unknown
  /** One item a `registerStream` channel yields; `client.stream` chunks carry arrays of them. */
  item?: unknown
}

/** What a channel map must look like: every entry a ChannelSpec (a misspelt key is an error). */
export type ChannelMap<C> = { [K in keyof C]: ChannelSpec }

/** The default channel map: any string, untyped payloads. */
export interface UntypedChannels {
  [channel: string]: { args: unknown[]; result: unknown; message: unknown; item: unknown }
}

/** True when `C` is a declared map (literal channel names), false for the default. */
type Declared<C> = string extends keyof C ? false : true

/** Channels of `C` that are requests (have `args` or `result`); never without a map. */
export type RequestChannel<C> =
  Declared<C> extends true
    ? { [K in keyof C & string]: C[K] extends { args: unknown } | { result: unknown } ? K : never }[keyof C & string]
    : never

/** Channels of `C` that stream items (have `item`); never without a map. */
export type StreamChannel<C> =
  Declared<C> extends true ? { [K in keyof C & string]: C[K] extends { item: unknown } ? K : never }[keyof C & string] : never

/** One item of stream channel K. */
export type ItemOf<C, K extends keyof C> = C[K] extends { item: infer I } ? I : never

/** Channels of `C` that carry messages (have `message`); never without a map. */
export type MessageChannel<C> =
  Declared<C> extends true ? { [K in keyof C & string]: C[K] extends { message: unknown } ? K : never }[keyof C & string] : never

/** Any channel name without a map; never with one (so a typo does not fall back to untyped). */
export type UntypedChannel<C> = Declared<C> extends true ? never : string

/** The argument list of request channel K. */
export type ArgsOf<C, K extends keyof C> = C[K] extends { args: infer A extends readonly unknown[] } ? [...A] : []

/** What request channel K resolves with. */
export type ResultOf<C, K extends keyof C> = C[K] extends { result: infer R } ? R : unknown

/** The payload of message channel K. */
export type MessageOf<C, K extends keyof C> = C[K] extends { message: infer M } ? M : never

/** A Zod schema's output type, read structurally (zod 4 `_zod.output`, zod 3 `_output`); no zod import. */
export type SchemaOutput<S> = S extends { _zod: { output: infer O } } ? O : S extends { _output: infer O } ? O : unknown

/**
 * A channel described by schemas, mirroring HandlerOptions: `schema` validates the
 * first (only) argument, `argsSchema` the whole list (a `z.tuple`).
 */
export interface SchemaChannelSpec {
  schema?: unknown
  argsSchema?: unknown
  result?: unknown
  message?: unknown
  item?: unknown
}

type InferSpec<S> = (S extends { argsSchema: infer A } ? { args: SchemaOutput<A> extends readonly unknown[] ? SchemaOutput<A> : [SchemaOutput<A>] } : S extends { schema: infer Q } ? { args: [SchemaOutput<Q>] } : unknown) &
  (S extends { result: infer R } ? { result: SchemaOutput<R> } : unknown) &
  (S extends { message: infer M } ? { message: SchemaOutput<M> } : unknown) &
  (S extends { item: infer I } ? { item: SchemaOutput<I> } : unknown)

/**
 * A channel map from Zod schemas (`z.infer` of each):
 *
 *   const schemas = { 'db:search': { schema: Query, result: z.array(Hit) }, 'agent:token': { message: Token } }
 *   type Channels = InferChannels<typeof schemas>
 *   registry.register('db:search', search, { schema: z.toJSONSchema(schemas['db:search'].schema) })
 */
export type InferChannels<S> = { [K in keyof S]: InferSpec<S[K]> }
