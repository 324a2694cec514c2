// The consumer's channel map: declared once, used by main, preload and renderer.
export interface Hit {
  id: number
  title: string
}

export interface Token {
  seq: number
  text: string
}

export interface Channels {
  'db:search': { args: [query: { q: string; limit?: number }]; result: Hit[] }
  'app:version': { result: string }
  'math:add': { args: [a: number, b: number]; result: number }
  'agent:token': { message: Token }
  'agent:done': { message: { reason: 'stop' | 'length' } }
  'logs:tail': { args: [filter: { level: 'info' | 'warn' }]; item: { at: number; line: string } }
}
