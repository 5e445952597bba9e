import type { SlaSnapshot } from '../../workflows/process-records.js';
import { formatDuration } from './format.js';

/** What a card's SLA badge says and in which colour, from the process's SLA snapshot and the time now. */
export interface SlaBadge {
  tone: 'green' | 'amber' | 'red' | 'paused';
  label: string;
  title: string;
}

const TONES: Record<Exclude<SlaSnapshot['status'], 'paused'>, SlaBadge['tone']> = {
  on_track: 'green',
  warning: 'amber',
  breached: 'red',
};

/** What a badge needs of a process's SLA snapshot. */
export type BadgeSla = Pick<SlaSnapshot, 'status' | 'deadline' | 'paused'>;

/** Null when the state has no SLA. The countdown runs to the deadline; past it the badge says how late. */
export function slaBadge(sla: BadgeSla | null | undefined, now: number): SlaBadge | null {
  if (!sla) return null;
  if (sla.paused || sla.status === 'paused') {
    return {
      tone: 'paused',
      label: 'paused',
      title: 'SLA clock paused: the process waits on someone outside the reviewer’s control',
    };
  }
  const left = Date.parse(sla.deadline) - now;
  if (left <= 0)
    return {
      tone: 'red',
      label: `late ${formatDuration(-left)}`,
      title: `SLA breached: the deadline was ${new Date(sla.deadline).toLocaleString()}`,
    };
  const tone = TONES[sla.status];
  const what = tone === 'green' ? 'On track' : tone === 'amber' ? 'SLA warning' : 'SLA breached';
  return {
    tone,
    label: formatDuration(left),
    title: `${what}: ${formatDuration(left)} left until ${new Date(sla.deadline).toLocaleString()}`,
  };
}
