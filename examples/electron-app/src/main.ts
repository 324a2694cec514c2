// Main process: Electron's side of the app; the IPC itself is in ipc.ts.
import { app, BrowserWindow, ipcMain } from 'electron'
import path from 'node:path'
import { createInspector } from 'ipcflow/inspector'
import { createIpc } from './ipc'

const ipc = createIpc()

function createWindow(): void {
  const win = new BrowserWindow({
    width: 900,
    height: 700,
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      nodeIntegration: false,
      // The preload requires 'ipcflow/renderer' from node_modules, which a sandboxed preload cannot;
      // bundle the preload (esbuild, Vite) to keep the sandbox on in a real app.
      sandbox: false,
    },
  })
  ipc.watch(win.webContents)
  void win.loadFile(path.join(__dirname, '..', 'index.html'))
}

// IPCFLOW_INSPECTOR=1 opens the live inspector in a second window.
async function openInspector(): Promise<void> {
  const inspector = createInspector({ batchers: { agent: ipc.batcher }, registries: { main: ipc.registry }, memory: ipc.memory, monitor: ipc.monitor })
  inspector.start(1000)
  const win = new BrowserWindow({ width: 1300, height: 900, title: 'ipcflow inspector' })
  await win.loadFile(inspector.writeFile(path.join(app.getPath('temp'), 'ipcflow-inspector.html')))
  const disconnect = inspector.connect(win.webContents)
  win.on('closed', () => {
    disconnect()
    inspector.close()
  })
}

app.whenReady().then(() => {
  ipc.attach(ipcMain) // renderer clients announce themselves; ipcMain.handle for every channel
  createWindow()
  if (process.env.IPCFLOW_INSPECTOR === '1') void openInspector()
  setInterval(() => console.log(`[ipcflow] ${ipc.summary()}`), 5000).unref()
})

app.on('window-all-closed', () => app.quit())
app.on('will-quit', () => void ipc.close())
