// Every channel of the app, declared once: main, preload and page import this
// file (types only), so a renamed channel or a changed payload fails to compile.

export interface Token {
  runId: string
  seq: number
  text: string
}

export interface RunState {
  runId: string
  status: 'running' | 'done' | 'stopped'
  tokens: number
}

export interface Note {
  id: number
  title: string
}

export interface Channels {
  // renderer -> main requests (HandlerRegistry)
  'agent:start': { args: [request: { prompt: string; tokens?: number }]; result: { runId: string } }
  'agent:stop': { args: [request: { runId: string }]; result: boolean }
  'notes:search': { args: [query: { q: string; limit?: number }]; result: Note[] }
  // main -> renderer messages (BatchManager)
  'agent:token': { message: Token }
  'agent:state': { message: RunState }
}
