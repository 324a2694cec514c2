// ESM entry of ipcflow: the same objects as the CommonJS entry (index.js), so
// `import` and `require` in one app share one copy of the addon and its state.
// Names are listed because Node cannot detect them in index.js's export object;
// __tests__/package.test.ts fails when this list and index.js disagree.
import ipcflow from './index.js'

export const {
  BatchManager,
  HandlerRegistry,
  FRAME_CHANNEL,
  READY_CHANNEL,
  ACK_CHANNEL,
  CANCEL_CHANNEL,
  PROTOCOL_VERSION,
  IpcError,
  ValidationError,
  TimeoutError,
  RateLimitedError,
  ForbiddenSenderError,
  NotFoundError,
  PayloadTooLargeError,
  CancelledError,
  HandlerError,
  ClosedError,
  InvalidArgumentError,
  UncloneableError,
  DuplicateHandlerError,
  ProtocolError,
  InternalError,
  PerformanceMonitor,
  MemoryManager,
  setLogger,
  setLogLevel,
  getLogLevel,
  getLogStats,
  enableDebugLogging,
  Debouncer,
  StartupSequencer,
  StartupCycleError,
  MissingDependencyError,
  StartupError,
  forceOptimization,
  HeartbeatMonitor,
  pingProbe,
  PING_CHANNEL,
  PONG_CHANNEL,
} = ipcflow

export default ipcflow
