// A stand-in for an LLM agent: yields tokens at a steady rate until done or aborted.
const WORDS = 'the quick brown fox jumps over the lazy dog while the batcher packs every token into frames'.split(' ')

export async function* fakeAgent(prompt: string, count: number, signal: AbortSignal): AsyncGenerator<string> {
  for (let i = 0; i < count && !signal.aborted; i++) {
    // ~500 tokens a second, in bursts, like a model streaming over the network
    if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    yield i === 0 ? `${prompt}:` : WORDS[i % WORDS.length]!
  }
}

export const NOTES = Array.from({ length: 200 }, (_, i) => ({ id: i + 1, title: `Note ${i + 1}: ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}` }))
