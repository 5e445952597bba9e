import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogOutput } from '../../runtime/logger.js';

// Colour codes, which pino-pretty writes on a terminal.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function collect(isTTY: boolean): LogOutput & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

/** A program that logs one line and then prints the banner, as `npm start` does. */
const PROGRAM = [
  "const { createLogger } = await import('./runtime/logger.ts');",
  "createLogger({ LOG_LEVEL: 'info' }, 'hub').info({ port: 5433 }, 'embedded PostgreSQL running');",
  "process.stdout.write('Ops hub ready\\n');",
].join(' ');
const NODE_ARGS = ['--import', 'tsx', '--input-type=module', '-e', PROGRAM];
const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

describe('log lines', () => {
  it('are pino-pretty lines on a terminal', () => {
    const output = collect(true);
    createLogger({ LOG_LEVEL: 'info' }, 'hub', output).info({ port: 5433 }, 'embedded PostgreSQL running');
    const text = output.text().replace(ANSI, '');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO \(hub\): embedded PostgreSQL running\n\s+port: 5433\n$/);
  });

  it('are JSON lines anywhere else', () => {
    const output = collect(false);
    createLogger({ LOG_LEVEL: 'info' }, 'hub', output).info({ port: 5433 }, 'embedded PostgreSQL running');
    expect(JSON.parse(output.text())).toMatchObject({ name: 'hub', port: 5433, msg: 'embedded PostgreSQL running' });
  });

  it('follow what stdout is: a pseudo-terminal or a pipe, with the banner printed last either way', () => {
    // script(1) runs the program on a pseudo-terminal, as a person's shell would.
    const command = [process.execPath, ...NODE_ARGS].map(shellQuote).join(' ');
    const onTerminal = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' })
      .replace(ANSI, '')
      .replace(/\r/g, '');
    expect(onTerminal).toMatch(
      /^\[\d\d:\d\d:\d\d\] INFO \(hub\): embedded PostgreSQL running\n\s+port: 5433\nOps hub ready\n$/,
    );

    const piped = execFileSync(process.execPath, NODE_ARGS, { encoding: 'utf8' }).trim().split('\n');
    expect(JSON.parse(piped[0])).toMatchObject({ level: 30, msg: 'embedded PostgreSQL running' });
    expect(piped.at(-1)).toBe('Ops hub ready');
  });
});
