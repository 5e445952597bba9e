import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestHub } from './hub.js';

/**
 * Histories of real workflow runs, recorded from the integration suite and committed, so that the replay test
 * fails CI on a change that would break workflows already running. RECORD_HISTORIES=1 records them anew.
 */
export const HISTORIES_DIR = path.resolve('test/fixtures/histories');

/** Keeps this workflow's history as a fixture under `name`, unless one is kept already. */
export async function keepHistory(hub: TestHub, workflowId: string, name: string): Promise<void> {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file) && !process.env.RECORD_HISTORIES) return;
  const history = await hub.server.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // Protobuf bytes rather than proto3 JSON: the SDK's JSON helpers trip over two copies of protobufjs here.
  const encoded = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64');
  writeFileSync(
    file,
    `${JSON.stringify({ workflow_id: workflowId, encoding: 'protobuf/base64', history: encoded }, null, 2)}\n`,
  );
}

export function keptHistories() {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const kept = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as { history: string };
      return {
        workflowId: file.replace(/\.json$/, ''),
        history: temporal.api.history.v1.History.decode(Buffer.from(kept.history, 'base64')),
      };
    });
}
