// Page script (contextIsolation on): only what the preload exposed.
import type { PreloadApi } from './preload'

declare global {
  interface Window {
    app: PreloadApi
  }
}

const list = document.createElement('ol')
const stop = window.app.onToken((token) => {
  const item = document.createElement('li')
  item.textContent = `${token.seq}: ${token.text.toUpperCase()}`
  list.append(item)
})
window.app.onDone((reason) => {
  stop()
  document.title = reason
})
void window.app.search('electron').then((hits) => hits.map((hit) => hit.title.length))
// @ts-expect-error the API takes a string
void window.app.search({ q: 1 })
export {}
