// Everything that reaches the page from event files (paths, URLs, argv, function names) is
// text: it goes through escapeHtml, which is safe in element content and quoted attributes.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
