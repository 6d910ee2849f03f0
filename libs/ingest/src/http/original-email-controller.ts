import { Controller, Get, Param, Req, Res, UseGuards, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { ticketStreamId } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ApiError, AuthGuard, pathId as positiveId, requireAgent, type AuthedRequest } from '@mailroom/http';
import type { Address } from '@mailroom/mail-domain';
import { MailParseRefused } from '../parsing/limits';
import type { ParsedMailResult } from '../parsing/parse-job';
import { ParserPool } from '../parsing/parser-pool';

const gone = (description: string): ApiError => new ApiError(404, { error: 'RecordNotFound', description });

const addressJson = (a: Address | null): { address: string; name: string | null } | null => (a ? { address: a.address, name: a.name || null } : null);

/** The original email of a comment, decoded: what the comment's text was cut from. */
export interface OriginalEmailJson {
  comment_id: number;
  ticket_id: number;
  raw_email_identifier: string;
  message_id: string | null;
  subject: string;
  from: { address: string; name: string | null } | null;
  reply_to: { address: string; name: string | null }[];
  to: { address: string; name: string | null }[];
  cc: { address: string; name: string | null }[];
  date: string | null;
  /** The whole plain text, quoted history and signature included. */
  text: string;
  /** The mail's HTML after the sanitiser (inline images linked to the comment's attachments); null for text-only mail. */
  html_sanitized: string | null;
  size: number;
  received_at: string;
}

/**
 * The original email behind a mail comment. The comment shows the reply (quoted history cut
 * off); the raw mail stays in ingest.raw_mail and is served here, to agents only: as the exact
 * bytes received (`message/rfc822`, a download) or decoded as JSON. The mail is found through
 * the comment's own event (its `mail.mailId`), so comments written before the read model named
 * the mail work too. Decoding runs on a parser thread with ingest's limits, started on first use.
 */
export class OriginalEmails {
  private pool: ParserPool | null = null;

  constructor(
    private readonly db: Db,
    private readonly baseUrl: string,
  ) {}

  /** The mail id of a comment on a ticket; 404 when the comment is not there or did not come from email. */
  async mailIdOf(ticketId: number, commentId: number): Promise<string> {
    const rows = await this.db.query<{ mail_id: string | null }>(
      `SELECT data->'mail'->>'mailId' AS mail_id FROM mailroom_events.messages
       WHERE stream_id = $1 AND type = 'ticket.comment_added' AND (data->>'commentId')::bigint = $2 LIMIT 1`,
      [ticketStreamId(ticketId), commentId],
    );
    if (!rows.length) throw gone('Not found');
    if (!rows[0].mail_id) throw gone('The comment did not come from an email');
    return rows[0].mail_id;
  }

  async raw(ticketId: number, commentId: number): Promise<{ mailId: string; raw: Buffer; receivedAt: Date; mailFrom: string | null }> {
    const mailId = await this.mailIdOf(ticketId, commentId);
    const rows = await this.db.query<{ raw: Buffer; received_at: Date; mail_from: string | null }>(`SELECT raw, received_at, mail_from FROM ingest.raw_mail WHERE id = $1`, [mailId]);
    if (!rows.length) throw gone('The original email is no longer kept');
    return { mailId, raw: rows[0].raw, receivedAt: rows[0].received_at, mailFrom: rows[0].mail_from };
  }

  async json(ticketId: number, commentId: number): Promise<{ original: OriginalEmailJson }> {
    const { mailId, raw, receivedAt, mailFrom } = await this.raw(ticketId, commentId);
    let parsed: ParsedMailResult;
    try {
      parsed = await this.parser().parse(raw, mailFrom);
    } catch (err) {
      if (err instanceof MailParseRefused) throw new ApiError(422, { error: 'UnprocessableEmail', description: `The original email cannot be decoded: ${err.message}; download it raw instead` });
      throw err;
    }
    const { mail } = parsed;
    return {
      original: {
        comment_id: commentId,
        ticket_id: ticketId,
        raw_email_identifier: mailId,
        message_id: mail.messageId,
        subject: mail.subject,
        from: addressJson(mail.from),
        reply_to: mail.replyTo.map((a) => addressJson(a)!),
        to: mail.to.map((a) => addressJson(a)!),
        cc: mail.cc.map((a) => addressJson(a)!),
        date: mail.date,
        text: mail.text,
        html_sanitized: parsed.html === null ? null : await this.linkStoredAttachments(mailId, parsed),
        size: raw.length,
        received_at: new Date(receivedAt).toISOString(),
      },
    };
  }

  /** A fresh parse names its attachments anew: point the HTML at the ones stored with the comment (by Content-ID). */
  private async linkStoredAttachments(mailId: string, parsed: ParsedMailResult): Promise<string> {
    let html = parsed.html ?? '';
    const withCid = parsed.attachments.filter((a) => a.contentId);
    if (!withCid.length) return html;
    const stored = await this.db.query<{ id: string; content_id: string }>(`SELECT id, content_id FROM ingest.attachments WHERE mail_id = $1 AND content_id IS NOT NULL`, [mailId]);
    for (const a of withCid) {
      const match = stored.find((s) => s.content_id === a.contentId);
      if (match) html = html.split(a.id).join(match.id);
    }
    return html;
  }

  private parser(): ParserPool {
    return (this.pool ??= new ParserPool({ baseUrl: this.baseUrl, threads: 1 }));
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}

/**
 * `GET /api/v2/tickets/{id}/comments/{comment_id}/original` (the raw mail) and `…/original.json`
 * (decoded). Mailroom's extension; Zendesk shows the original email in its agent interface only.
 * The `.json` suffix is stripped before routing, so the form is told apart by the URL as sent.
 */
@Controller('api/v2')
@UseGuards(AuthGuard)
export class OriginalEmailController implements OnModuleDestroy {
  constructor(private readonly originals: OriginalEmails) {}

  @Get('tickets/:id/comments/:commentId/original')
  async original(@Req() req: AuthedRequest, @Param('id') id: string, @Param('commentId') commentId: string, @Res() res: Response) {
    requireAgent(req.user);
    const ticketId = positiveId(id);
    const comment = positiveId(commentId);
    const asJson = req.originalUrl.split('?', 1)[0].endsWith('.json');
    if (asJson) {
      res.status(200).json(await this.originals.json(ticketId, comment));
      return;
    }
    const { raw } = await this.originals.raw(ticketId, comment);
    res.status(200);
    res.setHeader('Content-Type', 'message/rfc822');
    res.setHeader('Content-Disposition', `attachment; filename="comment-${comment}.eml"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Length', String(raw.length));
    res.end(raw);
  }

  async onModuleDestroy(): Promise<void> {
    await this.originals.close();
  }
}
