import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WORKFLOWS = path.resolve('workflows');
const ALLOWED_PACKAGES = ['@temporalio/workflow', '@temporalio/common', 'luxon', 'decimal.js', 'zod'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

/** Value imports (type-only imports vanish at build time and are allowed anywhere). */
function valueImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    if (!match[2]) specifiers.push(match[3]);
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1]);
  return specifiers;
}

describe('workflows/ stays deterministic', () => {
  const files = sourceFiles(WORKFLOWS);

  it('finds the workflow sources', () => {
    expect(files.map((f) => path.relative(WORKFLOWS, f))).toContain(path.join('account-opening', 'workflow.ts'));
  });

  it.each(files.map((f) => [path.relative(WORKFLOWS, f), f]))(
    '%s imports only workflow-safe modules',
    (_name, file) => {
      const offending = valueImports(readFileSync(file, 'utf8')).filter((specifier) => {
        if (specifier.startsWith('.'))
          return !path.resolve(path.dirname(file), specifier).startsWith(WORKFLOWS + path.sep);
        return !ALLOWED_PACKAGES.some((allowed) => specifier === allowed || specifier.startsWith(`${allowed}/`));
      });
      expect(offending).toEqual([]);
    },
  );
});
