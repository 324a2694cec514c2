// Page script (contextIsolation on, no Node): a plain script using only window.agent.
// No imports, so it compiles to a script index.html can load as is.

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
const output = $<HTMLPreElement>('output')
const statusLine = $<HTMLSpanElement>('status')
let currentRun: string | undefined

window.agent.onToken((token) => {
  if (token.runId !== currentRun) return
  output.textContent += `${token.text} `
})

window.agent.onState((state) => {
  if (state.runId !== currentRun) return
  const stats = window.agent.stats()
  statusLine.textContent = `${state.status}: ${state.tokens} tokens, ${stats.frames} frames, ${stats.messages} messages received`
})

$<HTMLFormElement>('run').addEventListener('submit', (event) => {
  event.preventDefault()
  const prompt = $<HTMLInputElement>('prompt').value
  output.textContent = ''
  void window.agent.start(prompt, 2000).then((result) => {
    if (result.ok) currentRun = result.value.runId
    else statusLine.textContent = `${result.error.code}: ${result.error.message}`
  })
})

$<HTMLButtonElement>('stop').addEventListener('click', () => {
  if (currentRun !== undefined) void window.agent.stop(currentRun)
})

$<HTMLInputElement>('search').addEventListener('input', (event) => {
  const q = (event.target as HTMLInputElement).value
  void window.agent.search(q).then((result) => {
    const list = $<HTMLUListElement>('notes')
    list.replaceChildren()
    if (!result.ok) {
      list.textContent = `${result.error.code}: ${result.error.message}`
      return
    }
    for (const note of result.value) {
      const item = document.createElement('li')
      item.textContent = note.title
      list.append(item)
    }
  })
})
