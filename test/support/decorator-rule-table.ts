/**
 * The decorator rule as data: every mix of `@Public()`, `@OptionalAuth()` and `@Roles()` on a
 * controller and on its method, and what each caller gets. The README's table in "Guards and
 * decorators" is checked against it and the guard e2e suite requests every cell of it.
 */

/** One of the auth decorators, as the README's table abbreviates it. */
export type AuthDecorator = 'P' | 'O' | 'R';

/** Every mix of the three decorators on one level (class or method), in the table's order. */
export const DECORATOR_MIXES: readonly (readonly AuthDecorator[])[] = [
  [],
  ['P'],
  ['O'],
  ['R'],
  ['P', 'O'],
  ['P', 'R'],
  ['O', 'R'],
  ['P', 'O', 'R'],
];

/** What a route requires once its decorators are resolved. */
export type RouteAccess = 'role' | 'optional' | 'public' | 'token';

/**
 * The documented rule: a role requirement anywhere (method or class) wins, then
 * `@OptionalAuth()`, then `@Public()`; without any of them a valid token is required.
 */
export function routeAccess(
  classMix: readonly AuthDecorator[],
  methodMix: readonly AuthDecorator[],
): RouteAccess {
  const mix = [...classMix, ...methodMix];
  if (mix.includes('R')) return 'role';
  if (mix.includes('O')) return 'optional';
  if (mix.includes('P')) return 'public';
  return 'token';
}

/** The callers of each cell: no token, a valid token without the route's role, with it. */
export const CALLERS = ['anonymous', 'withoutRole', 'withRole'] as const;
export type Caller = (typeof CALLERS)[number];

/** The status `AccessTokenGuard` answers, per access and caller. */
export const ACCESS_TOKEN_GUARD_STATUS: Readonly<
  Record<RouteAccess, Readonly<Record<Caller, 200 | 401 | 403>>>
> = {
  role: { anonymous: 401, withoutRole: 403, withRole: 200 },
  optional: { anonymous: 200, withoutRole: 200, withRole: 200 },
  public: { anonymous: 200, withoutRole: 200, withRole: 200 },
  token: { anonymous: 401, withoutRole: 200, withRole: 200 },
};

/** The README's spelling of a mix: `—` for none, else the letters joined by spaces. */
export function mixLabel(mix: readonly AuthDecorator[]): string {
  return mix.length === 0 ? '—' : mix.join(' ');
}

/** First cell of the README table's header row. */
export const TABLE_CORNER = 'class ↓ / method →';

/**
 * The README table as rows of cells: a header row of method mixes, then one row per class mix
 * whose cells are the statuses of the three callers, e.g. `401 403 200`.
 */
export function decoratorRuleTable(): string[][] {
  const header = [TABLE_CORNER, ...DECORATOR_MIXES.map(mixLabel)];
  const rows = DECORATOR_MIXES.map((classMix) => [
    mixLabel(classMix),
    ...DECORATOR_MIXES.map((methodMix) => {
      const status = ACCESS_TOKEN_GUARD_STATUS[routeAccess(classMix, methodMix)];
      return CALLERS.map((caller) => status[caller]).join(' ');
    }),
  ]);
  return [header, ...rows];
}

/** The markdown table that starts with {@link TABLE_CORNER} in `markdown`, as rows of cells. */
export function readMarkdownTable(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${TABLE_CORNER}`));
  if (start === -1) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    rows.push(cells);
  }
  return rows;
}
