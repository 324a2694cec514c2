'use strict'
// Hand-written front of ipcflow. The generated loader (binding.js) finds the
// platform's .node file; the classes here keep payloads in JS and use the
// addon once per batch, where crossing the boundary pays for itself.
const errors = require('./lib/errors')
const protocol = require('./lib/protocol')
const { BatchManager } = require('./lib/batch/manager')
const { HandlerRegistry } = require('./lib/registry/registry')
const { PerformanceMonitor } = require('./lib/monitor/monitor')
const { MemoryManager } = require('./lib/memory/manager')
const logging = require('./lib/monitor/log')
const { Debouncer } = require('./lib/debounce/debouncer')
const { StartupSequencer } = require('./lib/startup/sequencer')
const { forceOptimization } = require('./lib/optimize')
const { HeartbeatMonitor } = require('./lib/heartbeat/monitor')
const { pingProbe } = require('./lib/heartbeat/ping')

module.exports = {
  BatchManager,
  HandlerRegistry,
  FRAME_CHANNEL: protocol.FRAME_CHANNEL,
  READY_CHANNEL: protocol.READY_CHANNEL,
  ACK_CHANNEL: protocol.ACK_CHANNEL,
  CANCEL_CHANNEL: protocol.CANCEL_CHANNEL,
  PROTOCOL_VERSION: protocol.PROTOCOL_VERSION,
  IpcError: errors.IpcError,
  ValidationError: errors.ValidationError,
  TimeoutError: errors.TimeoutError,
  RateLimitedError: errors.RateLimitedError,
  ForbiddenSenderError: errors.ForbiddenSenderError,
  NotFoundError: errors.NotFoundError,
  PayloadTooLargeError: errors.PayloadTooLargeError,
  CancelledError: errors.CancelledError,
  HandlerError: errors.HandlerError,
  ClosedError: errors.ClosedError,
  InvalidArgumentError: errors.InvalidArgumentError,
  UncloneableError: errors.UncloneableError,
  DuplicateHandlerError: errors.DuplicateHandlerError,
  ProtocolError: errors.ProtocolError,
  InternalError: errors.InternalError,
  PerformanceMonitor,
  MemoryManager,
  setLogger: logging.setLogger,
  setLogLevel: logging.setLogLevel,
  getLogLevel: logging.getLogLevel,
  getLogStats: logging.getLogStats,
  enableDebugLogging: logging.enableDebugLogging,
  Debouncer,
  StartupSequencer,
  StartupCycleError: errors.StartupCycleError,
  MissingDependencyError: errors.MissingDependencyError,
  StartupError: errors.StartupError,
  forceOptimization,
  HeartbeatMonitor,
  pingProbe,
  PING_CHANNEL: protocol.PING_CHANNEL,
  PONG_CHANNEL: protocol.PONG_CHANNEL,
}
