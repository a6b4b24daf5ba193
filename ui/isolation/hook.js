// The isolation hook: Tauri hands it every IPC message the window sends, before the message
// is encrypted for the shell. It lets through only the commands in commands.js, each with
// exactly its arguments and their types, and the one internal message Tauri's channels send
// (fetching a large channel message). Anything else is refused here and never reaches Rust:
// a script that got into the page can call what the UI calls, shaped as the UI shapes it,
// and nothing else through this frame. The commands still check their arguments' values.
//
// A refusal is also posted to the window, which rejects the call (ui/src/lib/isolation.ts);
// without it the caller would wait forever. It names the command, never an argument's value.
;(function () {
  'use strict'

  const COMMANDS = FIELDCASE_COMMANDS
  // Tauri's own message for a channel message too large to send inline (ipc/channel.rs).
  const FETCH_CHANNEL_DATA = 'plugin:__TAURI_CHANNEL__|fetch'
  const CHANNEL = /^__CHANNEL__:\d+$/
  const DIGITS = /^\d+$/
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

  function own(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key)
  }

  function isPlainObject(value) {
    return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  }

  const TYPES = {
    string: (v) => typeof v === 'string',
    uuid: (v) => typeof v === 'string' && UUID.test(v),
    boolean: (v) => typeof v === 'boolean',
    uint: (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    object: isPlainObject,
    'string[]': (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
    channel: (v) => typeof v === 'string' && CHANNEL.test(v),
  }

  function fits(type, present, value) {
    if (type.endsWith('?')) {
      if (!present || value === null || value === undefined) return true
      type = type.slice(0, -1)
    } else if (!present) {
      return false
    }
    return own(TYPES, type) && TYPES[type](value)
  }

  function shapeOf(cmd) {
    if (typeof cmd !== 'string') return null
    if (own(COMMANDS.app, cmd)) return COMMANDS.app[cmd]
    if (own(COMMANDS.plugins, cmd)) return COMMANDS.plugins[cmd]
    return null
  }

  // Why a message for the channel-data fetch is refused, or null. Tauri sends it with no
  // arguments and the channel message's id in one header.
  function channelFetchRefusal(payload, options) {
    if (payload !== null && payload !== undefined) return 'a channel fetch carries no arguments'
    if (!isPlainObject(options) || Object.keys(options).join() !== 'headers') {
      return 'a channel fetch has only its header'
    }
    const headers = options.headers
    if (!isPlainObject(headers) || Object.keys(headers).join() !== 'Tauri-Channel-Id') {
      return 'a channel fetch has only its header'
    }
    return DIGITS.test(String(headers['Tauri-Channel-Id'])) ? null : 'a channel id is a number'
  }

  // Why `message` is refused, or null if it may go to the shell.
  function refusal(message) {
    if (!isPlainObject(message)) return 'not an IPC message'
    const { cmd, payload, options } = message
    if (cmd === FETCH_CHANNEL_DATA) return channelFetchRefusal(payload, options)
    const shape = shapeOf(cmd)
    if (shape === null) return `unknown command ${JSON.stringify(String(cmd)).slice(0, 80)}`
    if (options !== undefined && options !== null) return `${cmd}: no request options`
    if (!isPlainObject(payload)) return `${cmd}: the arguments are not an object`
    for (const key of Object.keys(payload)) {
      if (!own(shape, key)) return `${cmd}: unexpected argument ${JSON.stringify(key).slice(0, 80)}`
    }
    for (const key of Object.keys(shape)) {
      if (!fits(shape[key], own(payload, key), payload[key])) return `${cmd}: ${key} must be ${shape[key]}`
    }
    return null
  }

  // The app's commands get the command's name inside their (encrypted) arguments, and the
  // shell runs a command only if it finds its own name there (src-tauri/src/isolation.rs).
  // Tauri encrypts the arguments but not the command's name, and passes a message with no
  // arguments at all on unencrypted: without this, a script in the page could call a
  // command that takes no arguments around this frame, or send arguments this frame
  // checked for one command to another.
  const CHECKED = '__isolationChecked'

  function hook(message) {
    const why = refusal(message)
    if (why === null) {
      if (!own(COMMANDS.app, message.cmd)) return message
      return { ...message, payload: { ...message.payload, [CHECKED]: message.cmd } }
    }
    if (isPlainObject(message) && Number.isInteger(message.error)) {
      window.parent.postMessage({ fieldcaseRefused: { error: message.error, reason: why } }, '*')
    }
    throw new Error(`Fieldcase refused an IPC message: ${why}`)
  }

  Object.defineProperty(window, '__TAURI_ISOLATION_HOOK__', { value: hook })
})()
