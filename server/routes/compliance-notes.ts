import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { getProcess } from '../../db/processes.js';
import { HubError } from '../../workflows/errors.js';
import {
  complianceNotesText,
  isApplication,
  mayReadComplianceNotes,
  mayWriteComplianceNotes,
} from '../../hub/compliance-notes.js';
import { createRouter, hubRoute, IdParams, jsonResponse } from './openapi.js';

export function complianceNotesRoutes(sql: Sql) {
  return createRouter().openapi(
    hubRoute({
      method: 'get',
      path: '/applications/{id}/compliance-notes',
      tags: ['Applications'],
      summary:
        "The collaborative compliance notes' plain text as stored now (edit them over Socket.IO: notes:join / notes:message)",
      request: { params: IdParams },
      responses: {
        200: jsonResponse(
          z.object({
            application_id: z.string(),
            text: z.string().nullable(),
            writable: z.boolean().openapi({ description: 'Whether the caller may edit them' }),
          }),
          'The notes; text is null when nobody has written any',
        ),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const user = c.get('user');
      const process = await getProcess(sql, id);
      if (!process || !isApplication(process)) throw new HubError('APPLICATION_NOT_FOUND');
      if (!mayReadComplianceNotes(process, user)) throw new HubError('FORBIDDEN', 'You may not view this application');
      return c.json(
        {
          application_id: id,
          text: await complianceNotesText(sql, id),
          writable: mayWriteComplianceNotes(process, user),
        },
        200,
      );
    },
  );
}
