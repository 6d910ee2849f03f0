import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';

/** What `/health/ready` asks: whether the host can serve (its database answers). */
export class Readiness {
  constructor(readonly check: () => Promise<boolean>) {}
}

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response) {
    const ok = await this.readiness.check().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: { database: ok } });
  }
}
