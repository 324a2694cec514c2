// The page's globals: what the preload exposed.
import type { AgentApi } from './preload'

declare global {
  interface Window {
    agent: AgentApi
  }
}
