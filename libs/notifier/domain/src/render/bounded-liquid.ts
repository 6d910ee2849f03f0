import { Context, Drop, type Emitter, Liquid, toValueSync } from 'liquidjs';
import { SafeHtml, escapeHtml } from '../html';
import type { PlaceholderFormat } from '../placeholders/comment-placeholders';

/**
 * One place where admin-authored Liquid is parsed and rendered, with limits. liquidjs bounds the
 * template's length (parseLimit), the render's time (renderLimit) and its allocations
 * (memoryLimit); on top, every buffer the render writes to — the output and each `{% capture %}` —
 * stops at `maxOutputChars`, so a loop that prints a lot fails before it fills the memory.
 * Failures come back as values, never as exceptions.
 */

export interface RenderLimits {
  /** Longest template accepted, in characters (Zendesk keeps a business rule under 65 KB). */
  parseLimit: number;
  /** Time one render may take, in milliseconds. */
  renderLimit: number;
  /** liquidjs's allocation budget per render (ranges, joins, string building). */
  memoryLimit: number;
  /** Longest rendered output, in characters. */
  maxOutputChars: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = {
  parseLimit: 65_536,
  renderLimit: 250,
  memoryLimit: 10_000_000,
  maxOutputChars: 1_000_000,
};

export type RenderResult = { ok: true; output: string } | { ok: false; error: string };

export const plain = (value: unknown): string => {
  const v = value instanceof Drop ? value.valueOf() : value;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(plain).join('');
  return String(v);
};

/** Output escaping for the HTML part: our SafeHtml passes, everything else is escaped text. */
const escapeOutput = (value: unknown): string => {
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(escapeOutput).join('');
  return escapeHtml(plain(value)).replace(/\r?\n/g, '<br>');
};

const unescapeHtml = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

class OutputTooLarge extends Error {}

class BoundedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly max: number) {}
  write(html: unknown): void {
    const text = plain(html);
    if (this.buffer.length + text.length > this.max) throw new OutputTooLarge();
    this.buffer += text;
  }
}

/** Escaping for every `{{ }}` output of a text render, e.g. JSON string escaping for a webhook body. */
export type OutputEscape = (text: string) => string;

export const createEngine = (format: PlaceholderFormat, limits: RenderLimits, escape?: OutputEscape): Liquid => {
  const liquid = new Liquid({
    // No file system: {% include %}, {% render %} and {% layout %} find nothing.
    templates: {},
    strictVariables: false,
    ownPropertyOnly: true,
    timezoneOffset: 0,
    cache: false,
    parseLimit: limits.parseLimit,
    renderLimit: limits.renderLimit,
    memoryLimit: limits.memoryLimit,
    ...(format === 'html' ? { outputEscape: escapeOutput } : {}),
    ...(format === 'text' && escape ? { outputEscape: (v: unknown) => escape(plain(v)) } : {}),
  });
  if (format === 'text' && escape) {
    // `| raw` must not become a way to put customer text unescaped into a JSON, XML or form body.
    liquid.registerFilter('raw', { raw: true, handler: (v: unknown) => escape(plain(v)) });
  }
  if (format === 'html') {
    // `| raw` skips output escaping; it must not become a way to put customer text into HTML.
    liquid.registerFilter('raw', { raw: true, handler: (v: unknown) => (v instanceof SafeHtml ? v : escapeOutput(v)) });
    // Escaping filters produce HTML that must not be escaped a second time.
    liquid.registerFilter('escape', (v: unknown) => new SafeHtml(escapeHtml(plain(v))));
    liquid.registerFilter('escape_once', (v: unknown) => new SafeHtml(escapeHtml(unescapeHtml(plain(v)))));
  }
  // Every render buffer, the top one and those of {% capture %} and friends, is a bounded one.
  const renderer = liquid.renderer;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = (templates, ctx, emitter) => renderTemplates(templates, ctx, emitter ?? new BoundedEmitter(limits.maxOutputChars));
  return liquid;
};

/**
 * Engines and parsed templates are kept: building a Liquid engine costs more than most renders
 * (its options resolve the locale through Intl each time), and the same few admin templates are
 * rendered for every notification. An engine holds no per-render state (limits and buffers belong
 * to each render's Context and emitter); a parsed template is read-only.
 */
const ENGINES = new Map<string, { liquid: Liquid; parsed: Map<string, ReturnType<Liquid['parse']>> }>();
const ESCAPE_IDS = new WeakMap<OutputEscape, number>();
const MAX_ENGINES = 32;
const MAX_PARSED = 256;

const engineFor = (format: PlaceholderFormat, limits: RenderLimits, escape?: OutputEscape) => {
  let escapeId = 0;
  if (escape) {
    escapeId = ESCAPE_IDS.get(escape) ?? 0;
    if (!escapeId) ESCAPE_IDS.set(escape, (escapeId = ESCAPE_IDS_NEXT.value++));
  }
  const key = `${format}|${limits.parseLimit}|${limits.renderLimit}|${limits.memoryLimit}|${limits.maxOutputChars}|${escapeId}`;
  let engine = ENGINES.get(key);
  if (!engine) {
    if (ENGINES.size >= MAX_ENGINES) ENGINES.clear();
    engine = { liquid: createEngine(format, limits, escape), parsed: new Map() };
    ENGINES.set(key, engine);
  }
  return engine;
};
const ESCAPE_IDS_NEXT = { value: 1 };

/** The parsed template, from the engine's cache (oldest entry dropped when full). */
const parsedFor = (engine: { liquid: Liquid; parsed: Map<string, ReturnType<Liquid['parse']>> }, template: string) => {
  let parsed = engine.parsed.get(template);
  if (!parsed) {
    parsed = engine.liquid.parse(template);
    if (engine.parsed.size >= MAX_PARSED) engine.parsed.delete(engine.parsed.keys().next().value!);
    engine.parsed.set(template, parsed);
  }
  return parsed;
};

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0].trim();

const tooLarge = (error: unknown): boolean => {
  for (let e: unknown = error; e; e = (e as { originalError?: unknown }).originalError) {
    if (e instanceof OutputTooLarge) return true;
  }
  return /OutputTooLarge|Invalid string length/.test(String((error as Error)?.message ?? ''));
};

/**
 * Parses and renders one template. `part` names it in the error ("body", "subject", "HTML email
 * template") so that the audit says what was broken.
 */
export const renderBounded = (
  part: string,
  template: unknown,
  scope: Record<string, unknown>,
  format: PlaceholderFormat,
  limits: RenderLimits,
  escape?: OutputEscape,
): RenderResult => {
  if (typeof template !== 'string') return { ok: false, error: `${part} template is missing` };
  if (template.length > limits.parseLimit) {
    return { ok: false, error: `${part} template is too long (${template.length} characters, at most ${limits.parseLimit})` };
  }
  const tooLargeError = { ok: false as const, error: `${part} is too large once rendered (more than ${limits.maxOutputChars} characters)` };
  try {
    const engine = engineFor(format, limits, escape);
    const liquid = engine.liquid;
    const parsed = parsedFor(engine, template);
    const ctx = new Context(scope, liquid.options, { sync: true }, { liquid });
    const output = plain(toValueSync(liquid.renderer.renderTemplates(parsed, ctx)));
    if (output.length > limits.maxOutputChars) return tooLargeError;
    return { ok: true, output };
  } catch (error) {
    if (tooLarge(error)) return tooLargeError;
    return { ok: false, error: `${part} could not be rendered: ${firstLine(error)}` };
  }
};

/** Parses a template without rendering it: for validating admin input before it is stored. */
export const parseError = (template: string, limits: RenderLimits = DEFAULT_RENDER_LIMITS): string | null => {
  try {
    createEngine('text', limits).parse(template);
    return null;
  } catch (error) {
    return firstLine(error);
  }
};
