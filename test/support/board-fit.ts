import type { Page } from 'playwright-core';

/** What does not fit: the page scrolling sideways, a column out of reach, a card's content cut without a tooltip. */
export function misfits(page: Page) {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.scrollingElement!;
    if (root.scrollWidth > root.clientWidth) problems.push(`page scrolls sideways (${root.scrollWidth})`);
    const columns = document.querySelector('.columns')!;
    if (columns.scrollWidth > columns.clientWidth) problems.push('the columns scroll sideways');
    for (const column of document.querySelectorAll<HTMLElement>('.column')) {
      if (column.getBoundingClientRect().right > window.innerWidth)
        problems.push(`column ${column.dataset.state} is beyond the right edge`);
    }
    for (const header of document.querySelectorAll<HTMLElement>('.column:not(.folded) .column-header, .stage-name')) {
      if (header.getBoundingClientRect().height > 40) problems.push(`header "${header.textContent}" wraps`);
    }
    for (const card of document.querySelectorAll<HTMLElement>('.card')) {
      if (card.hidden || card.closest('[hidden]')) continue;
      if (card.scrollWidth > card.clientWidth) problems.push(`card ${card.dataset.processId} overflows`);
      for (const part of card.querySelectorAll<HTMLElement>('*')) {
        if (part.scrollWidth <= part.clientWidth) continue;
        const clipped = getComputedStyle(part).textOverflow === 'ellipsis' && part.title === part.textContent;
        if (!clipped) problems.push(`card ${card.dataset.processId}: "${part.textContent}" is cut off`);
      }
    }
    return problems;
  });
}

/** The states of a board's columns that hold at least one process (a folded column counts by its number). */
export function occupiedStates(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.column')]
      .filter((column) => column.querySelector('.card') || Number(column.querySelector('.count')?.textContent) > 0)
      .map((column) => column.dataset.state!),
  );
}
