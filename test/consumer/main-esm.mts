// The same API from an ES module (resolves the `import` condition: index.d.mts).
import ipcflow, { BatchManager, HandlerRegistry, type Envelope } from 'ipcflow'
import { ipcMain, ipcRenderer, type WebContents } from 'electron'
import { createRendererClient, type RendererClient } from 'ipcflow/renderer'
import { createInspector } from 'ipcflow/inspector'
import type { Channels } from './channels.js'

const registry = new HandlerRegistry<Channels>()
registry.register('math:add', (a, b) => a + b)
registry.attach(ipcMain)
const batcher = new ipcflow.BatchManager<Channels>()
export async function send(contents: WebContents): Promise<Envelope<number>> {
  batcher.addMessage('agent:done', { reason: 'length' }, contents)
  const check: typeof BatchManager = ipcflow.BatchManager
  void check
  return registry.invoke('math:add', [2, 3])
}

// ipcflow/renderer and ipcflow/inspector from an ES module too.
export const client: RendererClient<Channels> = createRendererClient<Channels>(ipcRenderer)
export const inspector = createInspector({ batchers: [batcher], registries: { main: registry } })
