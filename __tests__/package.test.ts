// The published package, as a user meets it. The release flow is staged as CI
// runs it: `npm pack` the repo, add the platform packages' addons (the built
// linux-x64-gnu one, placeholders for the others) as `napi artifacts` would, let
// `napi prepublish` write the optionalDependencies (without publishing), pack the
// result and the linux-x64-gnu platform package, install both tarballs into a
// fresh project, then require/import ipcflow there and send a message and a
// request through the Electron stand-in. Slow (npm runs): ~10-60 s.
import { execFileSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'

const ROOT = path.join(__dirname, '..')
const STANDIN = path.join(ROOT, 'test', 'standin', 'index.js')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureRendererBuilt } = require('../test/standin')
const SMOKE = path.join(ROOT, 'test', 'consumer', 'smoke')
const PLATFORM = 'linux-x64-gnu'
const ADDON = path.join(ROOT, `ipcflow.${PLATFORM}.node`)
const canInstall = process.platform === 'linux' && process.arch === 'x64' && fs.existsSync(ADDON)

// Children must not inherit `npm test`'s npm_* variables (prefix, scripts, config).
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NAPI_RS_NATIVE_LIBRARY_PATH'),
)
const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 })

interface PackResult {
  filename: string
  size: number
  unpackedSize: number
  files: Array<{ path: string; size: number }>
}
const pack = (dir: string, dest: string): PackResult => JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dest], dir))[0]

const pkg = require('../package.json')
const abis = (): string[] => fs.readdirSync(path.join(ROOT, 'npm')).sort()

let tmp = ''
let stage = '' // the package as `npm publish` packs it, after `napi prepublish`
let packed: PackResult

beforeAll(() => {
  ensureRendererBuilt()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-pack-'))
  const source = pack(ROOT, tmp)
  run('tar', ['-xzf', path.join(tmp, source.filename), '-C', tmp], tmp)
  stage = path.join(tmp, 'package')
  fs.rmSync(path.join(tmp, source.filename))
  fs.cpSync(path.join(ROOT, 'npm'), path.join(stage, 'npm'), { recursive: true })
  for (const abi of abis()) {
    const artifact = path.join(stage, 'npm', abi, `ipcflow.${abi}.node`)
    if (abi === PLATFORM && fs.existsSync(ADDON)) fs.copyFileSync(ADDON, artifact)
    else fs.writeFileSync(artifact, 'placeholder: this test never loads other platforms\' addons\n')
  }
  // --skip-optional-publish: write package.json, publish nothing; the registry is unreachable anyway.
  const napi = path.join(ROOT, 'node_modules', '.bin', 'napi')
  execFileSync(napi, ['prepublish', '-t', 'npm', '--no-gh-release', '--skip-optional-publish'], {
    cwd: stage,
    env: { ...env, npm_config_registry: 'http://127.0.0.1:9/' },
    stdio: 'pipe',
    timeout: 120_000,
  })
  packed = pack(stage, tmp)
}, 180_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('the packed tarball', () => {
  test('holds what users run and nothing they do not need', () => {
    const files = packed.files.map((f) => f.path).sort()
    const unwanted = files.filter((f) =>
      /^(src|__tests__|bench|demo|test|target|examples|npm|coverage|\.ci)\//.test(f) ||
      /\.node$|\.rs$|^Cargo\.|tsconfig|jest\.config|\.tgz$/.test(f) ||
      (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)),
    )
    expect(unwanted).toEqual([])
    for (const needed of ['package.json', 'README.md', 'index.js', 'index.mjs', 'index.d.ts', 'index.d.mts', 'binding.js', 'binding.d.ts', 'renderer/dist/index.js', 'renderer/dist/index.d.ts', 'renderer/dist/protocol.js', 'inspector/index.js', 'inspector/index.d.ts', 'inspector/page.html']) {
      expect(files).toContain(needed)
    }
    // Every file an `exports` condition names is in the tarball.
    const targets: string[] = []
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value.replace(/^\.\//, ''))
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect)
    }
    collect(pkg.exports)
    expect(targets.filter((t) => !files.includes(t))).toEqual([])
    console.log(`npm pack: ${packed.filename} ${(packed.size / 1000).toFixed(1)} kB packed, ${(packed.unpackedSize / 1000).toFixed(1)} kB unpacked, ${files.length} files`)
  })

  test('names every platform package of the napi config as an optional dependency of the same version', () => {
    // The repo's package.json has none (unpublished optional dependencies break `npm ci`,
    // npm/cli#9846); `napi prepublish` adds them to what is published.
    expect(pkg.optionalDependencies).toBeUndefined()
    const published = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf8'))
    const dirs = abis()
    expect(dirs).toHaveLength(pkg.napi.targets.length)
    expect(Object.keys(published.optionalDependencies).sort()).toEqual(dirs.map((d) => `ipcflow-${d}`))
    expect({ ...published, optionalDependencies: undefined }).toEqual({ ...pkg, optionalDependencies: undefined })
    for (const dir of dirs) {
      const platform = require(path.join(ROOT, 'npm', dir, 'package.json'))
      expect(platform).toMatchObject({ name: `ipcflow-${dir}`, version: pkg.version, main: `ipcflow.${dir}.node`, files: [`ipcflow.${dir}.node`] })
      expect(published.optionalDependencies[platform.name]).toBe(pkg.version)
      expect(platform.os).toEqual([dir.split('-')[0]])
      expect(platform.cpu).toEqual([dir.split('-')[1]])
      if (dir.endsWith('-gnu')) expect(platform.libc).toEqual(['glibc'])
    }
  })

  test('index.mjs exports every name index.js does', () => {
    const script = `import * as m from ${JSON.stringify(path.join(ROOT, 'index.mjs'))}; console.log(JSON.stringify(Object.keys(m)))`
    const esm: string[] = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], ROOT))
    const cjs = Object.keys(require('../index'))
    expect(cjs.filter((name) => !esm.includes(name))).toEqual([])
  })

  ;(canInstall ? describe : describe.skip)('installed into a fresh project', () => {
    let app = ''
    beforeAll(() => {
      const platform = pack(path.join(stage, 'npm', PLATFORM), tmp)
      expect(platform.files.map((f) => f.path).sort()).toEqual(['README.md', `ipcflow.${PLATFORM}.node`, 'package.json'])
      console.log(`npm pack: ${platform.filename} ${(platform.size / 1e6).toFixed(2)} MB packed, ${(platform.unpackedSize / 1e6).toFixed(2)} MB unpacked`)

      app = path.join(tmp, 'app')
      fs.mkdirSync(app)
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }))
      // Local tarballs; anything else (ipcflow has no dependencies, the other platforms'
      // packages are optional and skipped) would come from the npm registry or its cache.
      run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', path.join(tmp, platform.filename), path.join(tmp, packed.filename)], app)
      for (const file of fs.readdirSync(SMOKE)) fs.copyFileSync(path.join(SMOKE, file), path.join(app, file))
    }, 180_000)

    const runApp = (entry: string) => JSON.parse(run(process.execPath, [entry, STANDIN], app).trim().split('\n').pop()!)

    test("require('ipcflow') loads the addon from the platform package; a message and a request go through", () => {
      const out = runApp('main.cjs')
      expect(out.resolved).toBe(path.join(app, 'node_modules', 'ipcflow', 'index.js'))
      expect(out.addons).toEqual([path.join(app, 'node_modules', `ipcflow-${PLATFORM}`, `ipcflow.${PLATFORM}.node`)])
      expect(out.tokens).toEqual(['hello', 'world'])
      expect(out.sum).toEqual({ ok: true, value: 5 })
      expect(out.invalid).toMatchObject({ ok: false, code: 'E_VALIDATION' })
      expect(out.rendererExports).toBe('function')
      expect(out.errorCode).toBe('E_VALIDATION')
      expect(out.inspector).toBe(true)
    }, 60_000)

    test("import { BatchManager } from 'ipcflow' and 'ipcflow/renderer' work from .mjs, with one copy of the library", () => {
      const out = runApp('main.mjs')
      expect(out.tokens).toEqual(['hello', 'world'])
      expect(out.sum).toEqual({ ok: true, value: 5 })
      expect(out.sameClasses).toBe(true)
      expect(out.defaultIsCjs).toBe(true)
      expect(out.protocol).toEqual([1, true])
      expect(out.renderer).toEqual(['function', 'function'])
      expect(out.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED')
    }, 60_000)

    test('the consumer project type-checks against the installed types (node16 resolution through `exports`)', () => {
      // test/consumer without its `paths` to the repo; Electron, Node, Zod types and tsc from the repo.
      const consumer = path.join(app, 'consumer')
      fs.mkdirSync(consumer)
      const source = path.join(ROOT, 'test', 'consumer')
      for (const file of fs.readdirSync(source).filter((f) => /\.m?ts$/.test(f))) fs.copyFileSync(path.join(source, file), path.join(consumer, file))
      const tsconfig = JSON.parse(fs.readFileSync(path.join(source, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''))
      delete tsconfig.compilerOptions.paths
      fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig))
      for (const dep of ['electron', 'zod', '@types/node', 'undici-types']) {
        const link = path.join(app, 'node_modules', dep)
        fs.mkdirSync(path.dirname(link), { recursive: true })
        if (fs.existsSync(path.join(ROOT, 'node_modules', dep))) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), link)
      }
      let output = ''
      try {
        run(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', consumer], app)
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error)
      }
      expect(output).toBe('')
    }, 120_000)
  })
})
