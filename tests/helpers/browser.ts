/**
 * Headless Chromium for the browser tests, provisioned like the Temporal servers: from a package
 * registry into the per-user cache, never downloaded by a test tool at run time.
 *
 * The browser is the one `@sparticuz/chromium` ships inside its npm package: a headless Chromium
 * built to run without the system libraries a bare Linux machine lacks (it needs only the C
 * library, expat and libgcc). Its package unpacks it into the temporary folder on every new
 * machine; we unpack it once into the cache instead, so every run and every test process shares
 * one copy. `CJ_CHROMIUM_PATH` points at another Chromium (Debian's `/usr/bin/chromium`, a
 * desktop Chrome) instead. playwright-core drives it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { projectRoot } from '../../lib/config';
import { cacheDir, isExecutable, type Log } from '../../local/temporal-runtime';

const PACKAGE = '@sparticuz/chromium';
/** Unpacking ~200 MB on a busy 2-core machine: seconds normally, a minute at worst. */
const UNPACK_TIMEOUT_MS = 5 * 60_000;

export interface ProvisionedChromium {
  executablePath: string;
  /** Fontconfig file for the fonts that came with the package, when it brought any. */
  fontConfigFile?: string;
  source: 'env' | 'cache' | 'unpacked';
}

function packageVersion(): string {
  const manifest = path.join(projectRoot(), 'node_modules', PACKAGE, 'package.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(`${PACKAGE} is not installed: run npm install (or set CJ_CHROMIUM_PATH to a Chromium)`);
  }
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The package's fontconfig file names fixed folders under /tmp; ours names the cache's. */
function writeFontConfig(dir: string): string | undefined {
  const fonts = path.join(dir, 'fonts');
  if (!fs.existsSync(fonts)) return undefined;
  const file = path.join(dir, 'fonts.conf');
  fs.writeFileSync(
    file,
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      '<fontconfig>',
      `  <dir>${fonts}</dir>`,
      '  <dir>/usr/share/fonts</dir>',
      `  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>`,
      '</fontconfig>',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Finds the browser for the browser tests, unpacking it into the cache the first time.
 *
 * @throws an error naming the step and what to do when the browser cannot be had.
 */
export function provisionChromium(
  env: NodeJS.ProcessEnv = process.env,
  log: Log = (line) => console.error(`[browser] ${line}`),
): ProvisionedChromium {
  if (env.CJ_CHROMIUM_PATH) {
    if (!isExecutable(env.CJ_CHROMIUM_PATH)) {
      throw new Error(`CJ_CHROMIUM_PATH=${env.CJ_CHROMIUM_PATH} is not an executable file`);
    }
    return { executablePath: env.CJ_CHROMIUM_PATH, source: 'env' };
  }
  const version = packageVersion();
  const dir = path.join(cacheDir(env), 'chromium', version);
  const executablePath = path.join(dir, 'chromium');
  if (isExecutable(executablePath)) {
    const fontConfigFile = path.join(dir, 'fonts.conf');
    return {
      executablePath,
      fontConfigFile: fs.existsSync(fontConfigFile) ? fontConfigFile : undefined,
      source: 'cache',
    };
  }

  log(`unpacking Chromium from the npm package ${PACKAGE}@${version} into ${dir} (once; cached afterwards)`);
  const started = Date.now();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(dir), `.${version}-`));
  try {
    // The package unpacks into os.tmpdir(); pointing TMPDIR at the staging folder puts the
    // browser and its graphics libraries (loaded from beside the binary) there.
    const result = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import chromium from '${PACKAGE}'; process.stdout.write(await chromium.executablePath());`,
      ],
      {
        cwd: projectRoot(),
        env: { ...env, TMPDIR: staging },
        encoding: 'utf8',
        timeout: UNPACK_TIMEOUT_MS,
      },
    );
    const unpacked = result.stdout?.trim();
    if (result.status !== 0 || unpacked !== path.join(staging, 'chromium')) {
      throw new Error(
        `unpacking Chromium from ${PACKAGE} failed${result.error ? ` (${result.error.message})` : ''}:\n` +
          `${result.stderr ?? ''}\nRetry the command; or set CJ_CHROMIUM_PATH to an installed Chromium.`,
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const fontConfigFile = writeFontConfig(dir);
  log(`Chromium ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return { executablePath, fontConfigFile, source: 'unpacked' };
}

// The closed network refuses every background connection Chromium would make.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the provisioned browser headless (the global setup unpacked it already). */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath, fontConfigFile } = provisionChromium();
  return await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...(fontConfigFile ? { FONTCONFIG_FILE: fontConfigFile } : {}) },
  });
}
