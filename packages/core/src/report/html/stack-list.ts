// A merged call stack as an HTML list, innermost frame first, saying how it was joined.
import type { MergedStack } from '../../model/app-model.js';
import { escapeHtml as e } from './escape.js';

export function stackList(stack: MergedStack): string {
  if (stack.frames.length === 0) return '<p class="muted">no stack recorded</p>';
  const how =
    stack.join === 'none'
      ? 'one emitter'
      : `${stack.join} join${stack.spanApi ? ` under ${stack.spanApi}` : ''}${stack.matchedOn ? `, matched on ${stack.matchedOn}` : ''}`;
  const items = stack.frames.map((f) => {
    const where = f.file ? ` ${f.file}${f.line === undefined ? '' : `:${f.line}`}${f.col === undefined ? '' : `:${f.col}`}` : f.unit ? ` [${f.unit}]` : '';
    return `<li class="${f.lang === 'native' ? 'native' : ''}">${e(f.lang)} <b>${e(f.fn)}</b>${e(where)}${f.component ? ` <span class="muted">${e(f.component)}</span>` : ''}</li>`;
  });
  return `<p class="muted">call stack, innermost first (${e(how)}${stack.truncated ? ', truncated' : ''}):</p><ol class="stack">${items.join('')}</ol>`;
}
