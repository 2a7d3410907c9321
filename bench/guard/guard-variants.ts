/** The apps the guard benchmark compares, in the order the tables list them. */
export const GUARD_VARIANTS = ['ours', 'floor', 'recipe', 'noop', 'jose', 'ours-nocache'] as const;
export type GuardVariant = (typeof GUARD_VARIANTS)[number];

/** What runs without `--variant`: the apps of the issue (`ours-nocache` is for diagnosis). */
export const DEFAULT_VARIANTS: readonly GuardVariant[] = [
  'ours',
  'floor',
  'recipe',
  'noop',
  'jose',
];

/** How each app is named in the tables. */
export const VARIANT_LABELS: Record<GuardVariant, string> = {
  ours: '(a) this module',
  floor: '(e) same app, claims-only guard (floor)',
  recipe: '(b) Nest recipe (passport-jwt)',
  noop: '(c) do-nothing guard',
  jose: '(d) plain jose guard',
  'ours-nocache': '(a′) this module, cache off',
};
