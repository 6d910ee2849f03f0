import type { Condition } from '../model';
import { type ConditionHandler, type ConditionVerdict, problem, unknownOperator } from './condition-handler';

/**
 * `subject_includes_word` and `comment_includes_word`, as Zendesk reads them:
 * includes = contains at least one of the words, not_includes = contains none of them (a
 * "quoted phrase" counts as one word that must appear whole), is = contains the string,
 * is_not = does not contain it. Case and punctuation do not matter; words match whole words only.
 */

const OPERATORS = ['includes', 'not_includes', 'is', 'is_not'];

/** Lower-case, letters and digits only, single spaces, padded so " word " finds whole words. */
const normalise = (text: string): string =>
  ` ${text.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;

const cache = new Map<string, string>();
/** The text as `includes` searches it (cached: one update's text is searched by many triggers). */
export const normalisedText = (text: string): string => {
  let n = cache.get(text);
  if (n === undefined) {
    n = normalise(text);
    if (cache.size > 2000) cache.clear();
    cache.set(text, n);
  }
  return n;
};

/** Words and "quoted phrases" of a condition value, normalised; a list value is a list of terms. */
const termCache = new Map<string, readonly string[]>();

export const parseTerms = (raw: unknown): readonly string[] => {
  if (typeof raw === 'string') {
    let known = termCache.get(raw);
    if (!known) {
      known = splitTerms([raw]);
      if (termCache.size >= 4096) termCache.clear();
      termCache.set(raw, known);
    }
    return known;
  }
  return splitTerms(Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : []);
};

const splitTerms = (items: string[]): readonly string[] => {
  const terms: string[] = [];
  for (const item of items) {
    const re = /"([^"]*)"|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(item))) {
      const term = normalise(m[1] ?? m[2]).trim();
      if (term) terms.push(term);
    }
  }
  return Object.freeze([...new Set(terms)]);
};

export const matchText = (condition: Condition, text: string | null, what: string, brief = false): ConditionVerdict => {
  const detail = brief ? undefined : text === null ? `there is no ${what}` : `the ${what} is ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`;
  if (!OPERATORS.includes(condition.operator)) return unknownOperator(condition, OPERATORS);
  const haystack = text === null ? ' ' : normalisedText(text);
  if (condition.operator === 'includes' || condition.operator === 'not_includes') {
    const terms = parseTerms(condition.value);
    if (terms.length === 0) return problem('no words to look for', detail);
    const found = terms.some((t) => haystack.includes(` ${t} `));
    return { matched: condition.operator === 'includes' ? found : !found, detail };
  }
  if (typeof condition.value !== 'string' || condition.value.trim() === '') return problem('no text to look for', detail);
  const needle = condition.value.trim().toLowerCase();
  const contains = text !== null && text.toLowerCase().includes(needle);
  return { matched: condition.operator === 'is' ? contains : !contains, detail };
};

const subjectIncludesWord: ConditionHandler = (condition, { ticket, brief }) => matchText(condition, ticket.subject, 'subject', brief);

const commentIncludesWord: ConditionHandler = (condition, { update, brief }) =>
  matchText(condition, update.comment ? update.comment.body : null, 'comment', brief);

export const textConditions: Record<string, ConditionHandler> = {
  subject_includes_word: subjectIncludesWord,
  comment_includes_word: commentIncludesWord,
};
