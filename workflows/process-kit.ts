import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ErrorSpec } from './process-spec.js';

/**
 * The workflow half of the process kit: what every process type's workflow registers the same way. A
 * type's definitions name each command's Update and input schema; its rules say whether a command may run
 * and what it does. This file turns that into Update handlers with validators.
 */

/** A command's Update and the schema of its input (the same one the API validates bodies with). */
export interface CommandDefinition<R, M> {
  update: UpdateDefinition<R, [M]>;
  input: z.ZodObject;
}

/** Why a command is refused: an error code of the spec, and a message for people. */
export interface CommandRefusal {
  code: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** A refusal as the workflow raises it: the code as the failure's type, so every edge maps it to one status. */
export function refusalFailure(refusal: CommandRefusal, errors: Record<string, ErrorSpec>): ApplicationFailure {
  return ApplicationFailure.create({
    type: refusal.code,
    message: refusal.message ?? errors[refusal.code]?.message ?? refusal.code,
    nonRetryable: true,
    details: refusal.details ? [refusal.details] : [],
  });
}

/**
 * The input's fields checked against the command's schema, naming the first that is wrong. Keys the hub adds
 * on its way (the compliance notes' text at a decision) are let through: the edge already refused unknown ones.
 */
export function checkCommandInput(schema: z.ZodObject, input: unknown): CommandRefusal | null {
  const result = schema.strip().safeParse(input ?? {});
  if (result.success) return null;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  return { code: 'VALIDATION_FAILED', message: `${field}: ${issue?.message ?? 'invalid'}`, details: { field } };
}

/**
 * One Update handler per command. The validator refuses an illegal command before anything is written, in
 * the order people expect: permission and state (the rules), the input's fields (the schema), then what the
 * rules ask of the input. The handler checks again, since another Update may have changed the process since
 * its validator ran; `recheck` does so once more after the handler awaited something.
 */
export function registerCommandHandlers<C extends string, R, M extends { input: object }>(
  commands: { readonly [K in C]: CommandDefinition<R, M> },
  kit: {
    errors: Record<string, ErrorSpec>;
    /** May this command run on the process as it stands, whatever the input? */
    allowed(command: C, message: M): CommandRefusal | null;
    /** Is the (well-formed) input enough to run it? */
    inputRefusal(command: C, message: M): CommandRefusal | null;
    run(command: C, message: M, recheck: () => void): Promise<R>;
  },
): void {
  const guard = (command: C, message: M) => {
    const refusal =
      kit.allowed(command, message) ??
      checkCommandInput(commands[command].input, message.input) ??
      kit.inputRefusal(command, message);
    if (refusal) throw refusalFailure(refusal, kit.errors);
  };
  for (const command of Object.keys(commands) as C[]) {
    setHandler(
      commands[command].update,
      async (message: M) => {
        guard(command, message);
        return kit.run(command, message, () => guard(command, message));
      },
      { validator: (message: M) => guard(command, message) },
    );
  }
}
