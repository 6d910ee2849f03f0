import sanitizeHtml from 'sanitize-html';

/**
 * Customer HTML as agents and notifications may see it. Mail HTML is written by strangers, so the
 * policy keeps structure and text and drops whatever can run, restyle the page or phone home on its
 * own: no scripts, styles, forms, frames, event handlers or `style` attributes; links only to
 * http(s), mailto and tel; images from http(s), from small inline `data:` images, or from the mail's
 * own parts (`cid:`, rewritten to the stored attachment's content URL).
 */
export interface SanitizeMailHtmlOptions {
  /** Content-ID (without angle brackets) → the URL the attachment is served at. */
  inlineImages: ReadonlyMap<string, string>;
  /** More links than this and the mail is refused (a page of links is a sanitiser DoS, not a support request). */
  maxLinks: number;
}

export type SanitizedMailHtml =
  | { kind: 'ok'; html: string; links: number; inlineImagesUsed: string[] }
  | { kind: 'too_many_links'; links: number };

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
  'img',
  'span',
  'font',
  'center',
  'u',
  's',
  'del',
  'ins',
  'sub',
  'sup',
  'hr',
];

const CELL = ['colspan', 'rowspan', 'align', 'valign', 'width', 'height'];

const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel'];

const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]*$/i;

/** `cid:` URLs are URL-encoded Content-IDs (RFC 2392); compare them decoded, without brackets. */
const cidOf = (src: string): string => {
  const raw = src.slice(4).trim().replace(/^<|>$/g, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

export const sanitizeMailHtml = (html: string, opts: SanitizeMailHtmlOptions): SanitizedMailHtml => {
  let links = 0;
  const used = new Set<string>();
  const lowerCids = new Map<string, string>();
  for (const [cid, url] of opts.inlineImages) lowerCids.set(cid.toLowerCase(), url);

  const out = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    disallowedTagsMode: 'discard',
    allowedAttributes: {
      a: ['href', 'name', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: CELL,
      th: CELL,
      table: ['width', 'border', 'cellpadding', 'cellspacing', 'align'],
      font: ['color', 'size', 'face'],
      ol: ['start', 'type'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: LINK_SCHEMES,
    allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
    allowProtocolRelative: false,
    // Content of these is dropped with the tag, not kept as text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'xml'],
    transformTags: {
      a: (tagName, attribs) => {
        if (attribs.href !== undefined) links++;
        const next: Record<string, string> = { ...attribs };
        // Browsers ignore control characters and blanks inside a scheme ("java\tscript:").
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec((next.href ?? '').replace(/[\u0000-\u0020]/g, ''))?.[1].toLowerCase();
        if (scheme !== undefined && !LINK_SCHEMES.includes(scheme)) delete next.href;
        if (next.href !== undefined) {
          next.target = '_blank';
          next.rel = 'noopener noreferrer nofollow';
        } else {
          delete next.target;
          delete next.rel;
        }
        return { tagName, attribs: next };
      },
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        const next: Record<string, string> = { ...attribs };
        if (/^cid:/i.test(src)) {
          const cid = cidOf(src);
          const url = opts.inlineImages.get(cid) ?? lowerCids.get(cid.toLowerCase());
          if (url) {
            used.add(cid);
            next.src = url;
          } else delete next.src;
        } else if (/^data:/i.test(src) && !DATA_IMAGE.test(src)) {
          delete next.src;
        }
        return { tagName, attribs: next };
      },
    },
    // An image with nowhere to load from is noise; keep its alt text only through the alt attribute.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  });
  if (links > opts.maxLinks) return { kind: 'too_many_links', links };
  return { kind: 'ok', html: out.trim(), links, inlineImagesUsed: [...used] };
};

/**
 * Where an attachment's bytes are served (Zendesk's `content_url` shape). The token is the stored
 * attachment's random id: the URL works without an API login, as Zendesk's do, so inline images
 * load in an agent's browser and in notification mail.
 */
export const attachmentContentUrl = (baseUrl: string, token: string, fileName: string): string =>
  `${baseUrl.replace(/\/+$/, '')}/attachments/token/${encodeURIComponent(token)}/?name=${encodeURIComponent(fileName)}`;
