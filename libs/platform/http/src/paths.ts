import type { NextFunction, Request, Response } from 'express';
import { notFound } from './errors';

/** A numeric id in a path (`/tickets/{id}`): a positive safe integer, or the resource is not there (404). */
export const pathId = (raw: string): number => {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound();
  return id;
};

/** Zendesk's offset pages: `page` from 1, `per_page` up to 100 (100 when absent). */
export interface Page {
  page: number;
  perPage: number;
}

export const parsePage = (q: Record<string, unknown>): Page => {
  const page = Math.max(1, Number(q.page ?? 1) || 1);
  const perPage = Math.min(100, Math.max(1, Number(q.per_page ?? 100) || 100));
  return { page, perPage };
};

/** Zendesk clients call `/api/v2/tickets/1.json`; routes are declared without the suffix. */
export const stripJsonSuffix = (req: Request, _res: Response, next: NextFunction) => {
  const [path, query] = req.url.split('?', 2);
  if (path.endsWith('.json')) req.url = path.slice(0, -5) + (query !== undefined ? `?${query}` : '');
  next();
};
