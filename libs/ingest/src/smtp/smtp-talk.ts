// A bare SMTP/LMTP client for the edge's tests: one command, one reply, every code and text as the
// server sent it, STARTTLS included. (nodemailer hides per-recipient LMTP replies and 4xx texts.)
import net from 'node:net';
import tls from 'node:tls';

export interface SmtpReply {
  code: number;
  /** The reply's lines without the code, e.g. ['mailroom Nice to meet you', 'STARTTLS']. */
  lines: string[];
  text: string;
}

export class SmtpTalk {
  private buffer = '';
  private replies: SmtpReply[] = [];
  private waiting: ((r: SmtpReply) => void)[] = [];
  private current: string[] = [];
  closed = false;

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.listen(socket);
  }

  /** Connects and reads the greeting (smtp-server holds it about 100 ms). */
  static async open(port: number, host = '127.0.0.1'): Promise<{ talk: SmtpTalk; greeting: SmtpReply }> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const talk = new SmtpTalk(socket);
    return { talk, greeting: await talk.reply() };
  }

  private listen(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        this.current.push(line.slice(4));
        if (line[3] !== '-') {
          const reply = { code: Number(line.slice(0, 3)), lines: this.current, text: this.current.join('\n') };
          this.current = [];
          const w = this.waiting.shift();
          if (w) w(reply);
          else this.replies.push(reply);
        }
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w({ code: 0, lines: ['(connection closed)'], text: '(connection closed)' });
    });
    socket.on('error', () => undefined);
  }

  reply(): Promise<SmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve({ code: 0, lines: ['(connection closed)'], text: '(connection closed)' });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async send(line: string): Promise<SmtpReply> {
    this.socket.write(line + '\r\n');
    return this.reply();
  }

  /** Sends the message after a 354 and collects `replies` answers (LMTP: one per recipient). */
  async data(raw: string, replies = 1): Promise<SmtpReply[]> {
    const go = await this.send('DATA');
    if (go.code !== 354) return [go];
    const body = raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    this.socket.write(body + (body.endsWith('\r\n') ? '' : '\r\n') + '.\r\n');
    const out: SmtpReply[] = [];
    for (let i = 0; i < replies; i++) out.push(await this.reply());
    return out;
  }

  /** STARTTLS, then the TLS handshake; returns the certificate the server presented (PEM-free, DER). */
  async startTls(options: tls.ConnectionOptions = { rejectUnauthorized: false }): Promise<{ reply: SmtpReply; peer: tls.PeerCertificate | null }> {
    const reply = await this.send('STARTTLS');
    if (reply.code !== 220) return { reply, peer: null };
    this.socket.removeAllListeners('data');
    const secure = tls.connect({ socket: this.socket, servername: 'localhost', ...options });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    return { reply, peer: secure.getPeerCertificate() };
  }

  async quit(): Promise<void> {
    if (!this.closed) {
      this.socket.write('QUIT\r\n');
      this.socket.end();
    }
  }
}

export const plainAuth = (user: string, password: string): string => Buffer.from(`\0${user}\0${password}`).toString('base64');

export const simpleMail = (subject: string, from = 'jane@customer.test', to = 'support@mailroom.test'): string =>
  [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: <${subject.replace(/\W+/g, '-')}-${Date.now()}@customer.test>`, 'Date: Tue, 25 Nov 2026 06:00:00 +0000', '', 'Hello.', ''].join('\n');
