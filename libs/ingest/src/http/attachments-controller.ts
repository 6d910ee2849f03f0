import { Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Db } from '@mailroom/database';
import { AuthGuard, notFound, requireAgent, type AuthedRequest } from '@mailroom/http';
import { attachmentContentUrl } from '@mailroom/mail-domain';

interface AttachmentRow {
  id: string;
  file_name: string;
  content_type: string;
  size: number;
  inline: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A type we can put in a Content-Type header as is; anything else is served as opaque bytes. */
const SAFE_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/**
 * Attachments of mail comments (stored by ingest in ingest.attachments), in Zendesk's attachment
 * shape. The id doubles as the download token: the content URL works without an API login, as
 * Zendesk's do, so inline images show in an agent's browser and in notification mail.
 */
export class Attachments {
  constructor(
    private readonly db: Db,
    private readonly baseUrl: string,
  ) {}

  json(row: AttachmentRow): Record<string, unknown> {
    const contentUrl = attachmentContentUrl(this.baseUrl, row.id, row.file_name);
    return {
      url: `${this.baseUrl}/api/v2/attachments/${row.id}.json`,
      id: row.id,
      file_name: row.file_name,
      content_url: contentUrl,
      mapped_content_url: contentUrl,
      content_type: row.content_type,
      size: row.size,
      width: null,
      height: null,
      inline: row.inline,
      deleted: false,
      malware_access_override: false,
      malware_scan_result: 'not_scanned',
      thumbnails: [],
    };
  }

  async show(id: string): Promise<Record<string, unknown>> {
    if (!UUID.test(id)) throw notFound();
    const rows = await this.db.query<AttachmentRow>(`SELECT id, file_name, content_type, size, inline FROM ingest.attachments WHERE id = $1`, [id]);
    if (!rows.length) throw notFound();
    return { attachment: this.json(rows[0]) };
  }

  /** Comment attachments as the API shows them; refs whose row is gone are left out. */
  async forComments(refs: { id: string }[]): Promise<Map<string, Record<string, unknown>>> {
    const ids = [...new Set(refs.map((r) => r.id).filter((id) => UUID.test(id)))];
    if (!ids.length) return new Map();
    const rows = await this.db.query<AttachmentRow>(`SELECT id, file_name, content_type, size, inline FROM ingest.attachments WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, this.json(r)]));
  }

  async content(token: string): Promise<{ fileName: string; contentType: string; content: Buffer } | null> {
    if (!UUID.test(token)) return null;
    const rows = await this.db.query<{ file_name: string; content_type: string; content: Buffer }>(`SELECT file_name, content_type, content FROM ingest.attachments WHERE id = $1`, [token]);
    if (!rows.length) return null;
    return { fileName: rows[0].file_name, contentType: rows[0].content_type, content: rows[0].content };
  }
}

/** RFC 6266: an ASCII fallback name and the UTF-8 name. */
const contentDisposition = (fileName: string): string => {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
};

@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: Attachments) {}

  @Get('api/v2/attachments/:id')
  @UseGuards(AuthGuard)
  show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    return this.attachments.show(id);
  }

  /**
   * The bytes. Always a download (`Content-Disposition: attachment`) with sniffing off and a
   * sandboxing CSP, so an HTML or SVG "attachment" never runs as a page of this origin.
   */
  @Get('attachments/token/:token')
  async content(@Param('token') token: string, @Res() res: Response) {
    const found = await this.attachments.content(token);
    if (!found) {
      res.status(404).json({ error: 'RecordNotFound', description: 'Not found' });
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', SAFE_TYPE.test(found.contentType) ? found.contentType : 'application/octet-stream');
    res.setHeader('Content-Disposition', contentDisposition(found.fileName));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Length', String(found.content.length));
    res.end(found.content);
  }
}
