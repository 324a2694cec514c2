'use strict'
// Hand-written front of ipcflow. The generated loader (binding.js) finds the
// platform's .node file; the classes here keep payloads in JS and use the
// addon once per batch, where crossing the boundary pays for itself.
const errors = require('./lib/errors')
const { BatchManager, FRAME_CHANNEL, READY_CHANNEL, ACK_CHANNEL, FRAME_VERSION } = require('./lib/batch-manager')
const { HandlerRegistry, CANCEL_CHANNEL } = require('./lib/registry/registry')
const { PerformanceMonitor } = require('./lib/monitor/monitor')
const { MemoryManager } = require('./lib/memory/manager')
const logging = require('./lib/monitor/log')

module.exports = {
  BatchManager,
  FRAME_CHANNEL,
  READY_CHANNEL,
  ACK_CHANNEL,
  FRAME_VERSION,
  HandlerRegistry,
  CANCEL_CHANNEL,
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
  PerformanceMonitor,
  MemoryManager,
  setLogger: logging.setLogger,
  setLogLevel: logging.setLogLevel,
  getLogLevel: logging.getLogLevel,
  getLogStats: logging.getLogStats,
  enableDebugLogging: logging.enableDebugLogging,
}
