// A channel map derived from Zod schemas (InferChannels), the schemas also validating natively.
import { z } from 'zod'
import { BatchManager, HandlerRegistry, type InferChannels } from 'ipcflow'
import { createRendererClient } from 'ipcflow/renderer'
import { ipcRenderer, type WebContents } from 'electron'
import { check, type Equal } from './assert'

const Query = z.object({ q: z.string().max(200), limit: z.number().int().optional() })
const Hit = z.object({ id: z.number(), title: z.string() })
const schemas = {
  'db:search': { schema: Query, result: z.array(Hit) },
  'math:add': { argsSchema: z.tuple([z.number(), z.number()]), result: z.number() },
  'agent:token': { message: z.object({ seq: z.number(), text: z.string() }) },
}
type ZodChannels = InferChannels<typeof schemas>

const registry = new HandlerRegistry<ZodChannels>()
registry.register(
  'db:search',
  async (query) => {
    check<Equal<typeof query, z.infer<typeof Query>>>(true)
    return [{ id: 1, title: query.q }]
  },
  { schema: z.toJSONSchema(schemas['db:search'].schema) },
)
registry.register('math:add', (a, b) => a + b, { argsSchema: z.toJSONSchema(schemas['math:add'].argsSchema) })
// @ts-expect-error the result schema says number
registry.register('math:add', () => 'three')

export function send(contents: WebContents): void {
  new BatchManager<ZodChannels>().addMessage('agent:token', { seq: 1, text: 'x' }, contents)
  const client = createRendererClient<ZodChannels>(ipcRenderer)
  void client.invoke('db:search', { q: 'x' }).then((hits) => check<Equal<typeof hits, Array<z.infer<typeof Hit>>>>(true))
}
