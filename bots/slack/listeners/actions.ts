import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { HubError } from '../../../workflows/errors.js';
import type { Actor } from '../../../workflows/process-records.js';
import { OPEN_IN_BOARD, reasonModal, type ReasonModalSpec } from '../blocks.js';
import { SLACK_BUTTONS, SLACK_MODALS } from '../processes/index.js';
import { loadSummaries, ProcessIdSchema, type SlackProcess } from '../slack-process.js';
import type { WebClient } from '../web-client.js';
import { actorForSlackUser, answering, refusalText, tellUser, type BotContext, type Where } from './bot-context.js';
import { publishHome } from './home.js';

/** What a reason modal carries back: the process, where to answer, and whether to refresh the App Home after. */
const ModalMetadataSchema = z.object({
  process_id: ProcessIdSchema,
  channel: z.string().max(40).optional(),
  home: z.literal(true).optional(),
});
type ModalMetadata = z.infer<typeof ModalMetadataSchema>;

function reasonSchema(spec: ReasonModalSpec) {
  const text = z
    .string()
    .trim()
    .max(spec.maxLength, `Keep the reason under ${spec.maxLength.toLocaleString('en-US')} characters.`);
  return spec.required ? text.min(1, spec.required) : text;
}

/**
 * Every command button of every process type, wherever it is (a kept message, `/hub queue`, App Home), and
 * the modals that ask for a reason. Each runs as the linked hub user through the type's service: the same
 * policy, rules and Temporal Update as the API, audited with channel `slack` and the Slack user id. The
 * messages themselves are brought up to date by the worker, from the recorded change, like any channel's.
 */
export function registerActionListeners(app: App, ctx: BotContext): void {
  app.action<BlockAction<ButtonAction>>(OPEN_IN_BOARD, async ({ ack }) => {
    await ack();
  });

  for (const { type, button } of SLACK_BUTTONS) {
    app.action<BlockAction<ButtonAction>>(button.actionId, async ({ ack, body, action, client }) => {
      await ack();
      const where: Where = { user: body.user.id, channel: body.channel?.id };
      const fromHome = body.view?.type === 'home';
      await answering(ctx, client, where, async () => {
        const processId = ProcessIdSchema.parse(action.value);
        const identity = await actorForSlackUser(ctx, client, body.user.id);
        if ('refusal' in identity) return tellUser(client, where, identity.refusal);
        if (button.reason) {
          const metadata: ModalMetadata = {
            process_id: processId,
            ...(where.channel ? { channel: where.channel } : {}),
            ...(fromHome ? { home: true as const } : {}),
          };
          return openReasonModal(
            ctx,
            client,
            type,
            button.command,
            button.reason,
            identity.actor,
            body.trigger_id,
            where,
            metadata,
          );
        }
        // The click's own timestamp names the Update, so a redelivered click changes nothing twice.
        await run(ctx, client, type, identity.actor, processId, button.command, {}, `slack:${action.action_ts}`, where);
        if (fromHome) await publishHome(ctx, client, body.user.id);
      });
    });
  }

  for (const { type, command, reason: spec } of SLACK_MODALS) {
    app.view(spec.callbackId, async ({ ack, body, view, client }) => {
      const reason = reasonSchema(spec).safeParse(view.state.values[spec.block]?.[spec.input]?.value ?? '');
      if (!reason.success) {
        await ack({ response_action: 'errors', errors: { [spec.block]: reason.error.issues[0].message } });
        return;
      }
      await ack();
      const metadata = ModalMetadataSchema.safeParse(safeJson(view.private_metadata));
      const where: Where = { user: body.user.id, channel: metadata.success ? metadata.data.channel : undefined };
      await answering(ctx, client, where, async () => {
        if (!metadata.success) return tellUser(client, where, 'This form is not one the hub opened; nothing changed.');
        const identity = await actorForSlackUser(ctx, client, body.user.id);
        if ('refusal' in identity) return tellUser(client, where, identity.refusal);
        const input = reason.data ? { [spec.field]: reason.data } : {};
        // The modal's id names the Update: a resubmitted form changes nothing twice.
        await run(
          ctx,
          client,
          type,
          identity.actor,
          metadata.data.process_id,
          command,
          input,
          `slack:${view.id}`,
          where,
        );
        if (metadata.data.home) await publishHome(ctx, client, body.user.id);
      });
    });
  }
}

/** Runs the command and tells the person what happened: done, or why not (who decided first, if someone did). */
async function run(
  ctx: BotContext,
  client: WebClient,
  type: SlackProcess,
  actor: Actor,
  processId: string,
  command: string,
  input: object,
  idempotencyKey: string,
  where: Where,
) {
  try {
    const after = await type.runCommand(ctx, actor, processId, command, input, idempotencyKey);
    await tellUser(client, where, type.confirmation(command, after));
  } catch (error) {
    await tellUser(client, where, await refusalText(ctx, type, processId, command, error));
  }
}

/** Asked first, so nobody writes a reason for a command they may not run; the Update asks again on submit. */
async function openReasonModal(
  ctx: BotContext,
  client: WebClient,
  type: SlackProcess,
  command: string,
  reason: ReasonModalSpec,
  actor: Actor,
  triggerId: string,
  where: Where,
  metadata: ModalMetadata,
) {
  const [summary] = await loadSummaries(ctx.deps.sql, type, [metadata.process_id], ctx.deps.config.publicUrl);
  if (!summary) return tellUser(client, where, `No ${type.noun} ${metadata.process_id}.`);
  const refusal = type.checkAllowed(summary.record, command, actor);
  if (refusal)
    return tellUser(
      client,
      where,
      await refusalText(ctx, type, metadata.process_id, command, HubError.fromRefusal(refusal)),
    );
  await client.views.open({
    trigger_id: triggerId,
    view: reasonModal(reason, type.modalHeading(summary.record, command), JSON.stringify(metadata)),
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
