'use strict'
// The soak renderer (bench/soak.js): counts the messages the renderer client
// dispatches on 'tick' (checking their order), and invokes 'echo' on main at
// options.invokesPerSecond, counting answers and failures.
//   request('stats') -> { received, outOfOrder, invokes, answered, failed, client }
const { createRendererClient } = require('../../../renderer/dist/index.js')

module.exports = async (ipcRenderer, report, options = {}) => {
  const client = createRendererClient(ipcRenderer)
  const s = { received: 0, outOfOrder: 0, last: -1, invokes: 0, answered: 0, failed: 0, wrong: 0 }
  client.on('tick', (payload) => {
    s.received++
    if (payload.n <= s.last) s.outOfOrder++
    s.last = payload.n
  })
  const perTick = (options.invokesPerSecond || 0) / 100
  let owed = 0
  if (perTick > 0) {
    setInterval(() => {
      owed += perTick
      for (; owed >= 1; owed--) {
        const n = s.invokes++
        client.invoke('echo', { n, text: 'x'.repeat(64) }).then(
          (value) => (value && value.n === n ? s.answered++ : s.wrong++),
          () => s.failed++,
        )
      }
    }, 10)
  }
  return {
    onRequest(kind) {
      if (kind === 'stats') return { ...s, client: client.getStats() }
      throw new Error(`unknown request '${kind}'`)
    },
  }
}
