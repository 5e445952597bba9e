import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { neutralizeFormula } from '../../hub/board-work.js';
import { toCardQuery } from '../../web/src/filters.js';
import { countOf } from '../../web/src/format.js';
import { parseRoute, viewHash } from '../../web/src/router.js';

describe('the board as CSV, and the words around it', () => {
  it('writes a cell a spreadsheet would run as a formula as text, and leaves others alone', () => {
    for (const cell of ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x'])
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['Chris Carter', '50000', '', "O'Neil = fine"]) expect(neutralizeFormula(cell)).toBe(cell);
  });

  it('quotes commas, quotes and line breaks so a row reads back as written', () => {
    const row = ['a, b', 'say "hi"', 'two\nlines'].map(neutralizeFormula);
    expect(parse(stringify([row]))).toEqual([row]);
  });

  it('names the filters as the card list does', () => {
    const query = toCardQuery({ advisor: 'usr_a', state: ['draft', 'funding'], sla: ['warning'], q: 'carter' });
    expect(Object.fromEntries(query)).toEqual({
      advisor_id: 'usr_a',
      status: 'draft,funding',
      sla_status: 'warning',
      q: 'carter',
    });
  });

  it('counts in the singular for one', () => {
    expect(countOf(1, 'process', 'processes')).toBe('1 process');
    expect(countOf(0, 'process', 'processes')).toBe('0 processes');
    expect(countOf(2, 'card')).toBe('2 cards');
  });

  it('routes a saved view link', () => {
    expect(parseRoute(viewHash('view_abc'))).toEqual({ name: 'view', viewId: 'view_abc' });
  });
});
