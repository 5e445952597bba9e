import type { SlaSnapshot, TransitionRecording } from '../workflows/process-records.js';
import { specFor } from '../workflows/specs.js';
import type { Tx } from './client.js';
import { latestDocumentLines, type DocumentLine } from './documents.js';

/**
 * What a decider had in front of them, kept in the decision's own audit row (and so in the hash chain):
 * the version of the record the decision was taken on, the SLA clock of the state it ended, and for a
 * decision from Slack the version the Slack message showed, and the documents on the process with the
 * version and review state each had then.
 */
export interface DecisionContext {
  record_version: number | null;
  sla: SlaSnapshot | null;
  slack_message_version: number | null;
  documents: Omit<DocumentLine, 'subject_id'>[];
}

/** A decision is a command whose event says approved, rejected or declined (the process specs name them). */
export function isDecision(processType: string, action: string): boolean {
  const event = specFor(processType)?.commands[action as never]?.event;
  return typeof event === 'string' && /(approved|rejected|declined)$/.test(event);
}

/** Read before the recording replaces the row: afterwards its SLA is the next state's. */
export async function captureDecisionContext(tx: Tx, rec: TransitionRecording): Promise<DecisionContext> {
  const [before] = await tx`SELECT version, sla FROM processes WHERE process_id = ${rec.process_id}`;
  const [shown] =
    rec.actor.channel === 'slack'
      ? await tx`SELECT max(rendered_version) AS version FROM slack_process_messages WHERE process_id = ${rec.process_id}`
      : [];
  const documents = (await latestDocumentLines(tx, [rec.process_id])).map(({ subject_id: _, ...line }) => line);
  return {
    documents,
    record_version: (before?.version as number | undefined) ?? null,
    sla: (before?.sla as SlaSnapshot | null | undefined) ?? null,
    slack_message_version: (shown?.version as number | null | undefined) ?? null,
  };
}
