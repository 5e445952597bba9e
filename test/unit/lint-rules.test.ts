import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rules are what keep the layers of DESIGN.md: each snippet breaks one, at the path it names.
const eslint = new ESLint({ ignore: false });

async function rulesBroken(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('npm run lint', { timeout: 60_000 }, () => {
  it('refuses an upward import: db/ reading the HTTP edge', async () => {
    const code = "import { createApp } from '../server/app.js';\n\nexport const app = createApp;\n";
    expect(await rulesBroken(code, 'db/upward.ts')).toContain('import-x/no-restricted-paths');
  });

  it('refuses bots/ importing server/, but lets server/ import the use cases', async () => {
    const upward =
      "import { startHubServer } from '../../server/start-server.js';\n\nexport const s = startHubServer;\n";
    expect(await rulesBroken(upward, 'bots/slack/upward.ts')).toContain('import-x/no-restricted-paths');
    const downward = "import { toHubError } from '../hub/errors.js';\n\nexport const e = toHubError;\n";
    expect(await rulesBroken(downward, 'server/downward.ts')).toEqual([]);
  });

  it('refuses an import cycle', async () => {
    const [result] = await eslint.lintFiles(['test/fixtures/lint/cycle-a.ts']);
    expect(result.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
  });

  it('refuses impure imports in workflows/, and allows activities as types', async () => {
    for (const impure of [
      "import { readFileSync } from 'node:fs';\n\nexport const r = readFileSync;\n",
      "import { Client } from '@temporalio/client';\n\nexport const c = Client;\n",
      "import { createSql } from '../db/client.js';\n\nexport const s = createSql;\n",
      "import { createActivities } from '../workers/activities/index.js';\n\nexport const a = createActivities;\n",
    ]) {
      expect(await rulesBroken(impure, 'workflows/impure.ts'), impure).not.toEqual([]);
    }
    const pure =
      "import { proxyActivities } from '@temporalio/workflow';\n" +
      "import type { HubActivities } from '../workers/activities/index.js';\n\n" +
      'export const acts = proxyActivities<HubActivities>({ startToCloseTimeout: 1000 });\n';
    expect(await rulesBroken(pure, 'workflows/pure.ts')).toEqual([]);
  });
});
