import { describe, expect, it } from 'vitest';
import { commandErrorCodes, ERROR_TABLES, ERRORS, HubError, isErrorCode } from '../../workflows/errors.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';

describe('error codes', () => {
  it('are typed: a code in no table does not compile', () => {
    // @ts-expect-error 'TYPO' is in no spec's errors, so `npm run typecheck` fails if this line compiles.
    const typo = () => new HubError('TYPO');
    expect(typo).toBeTypeOf('function');
    expect(new HubError('REBALANCE_NOT_FOUND').status).toBe(404);
  });

  it('hold every code of every spec, each with one status wherever it is declared', () => {
    for (const spec of PROCESS_SPECS) {
      for (const [code, declared] of Object.entries(spec.errors)) {
        expect(isErrorCode(code), code).toBe(true);
        expect(ERRORS[code as keyof typeof ERRORS].status, code).toBe(declared.status);
      }
    }
    for (const table of ERROR_TABLES) {
      for (const [code, declared] of Object.entries(table))
        expect(ERRORS[code as keyof typeof ERRORS].status, code).toBe(declared.status);
    }
  });

  it('turn an unknown code from outside (a workflow failure type) into an internal error', () => {
    expect(HubError.fromRefusal({ code: 'NO_SUCH_CODE' }).code).toBe('INTERNAL_ERROR');
    expect(HubError.fromRefusal({ code: 'INVALID_TRADE', message: 'no' }).message).toBe('no');
  });

  it('a command raises only codes the hub knows, and its route documents them by status', () => {
    for (const spec of PROCESS_SPECS) {
      for (const [command, { raises }] of Object.entries(spec.commands)) {
        for (const code of raises ?? [])
          expect(isErrorCode(code), `${spec.processType}.${command}: ${code}`).toBe(true);
      }
    }
    const approve = commandErrorCodes(
      PROCESS_SPECS.find((s) => s.processType === 'account_opening')!,
      'compliance_approve',
    );
    expect(approve).toEqual(
      expect.arrayContaining(['FOUR_EYES_VIOLATION', 'COMPLIANCE_REVIEW_REQUIRED', 'APPLICATION_NOT_FOUND']),
    );
    expect(approve).not.toContain('INVALID_TRADE');
  });
});
